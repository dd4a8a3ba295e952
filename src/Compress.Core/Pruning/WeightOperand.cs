namespace Compress.Pruning;

/// <summary>Where the value a weight operand reads comes from.</summary>
public enum OperandSource
{
    /// <summary>A dense initializer of the reading node's graph or of an enclosing graph.</summary>
    Initializer,

    /// <summary>A <c>sparse_initializer</c> (as Compress exports pruned weights).</summary>
    SparseInitializer,

    /// <summary>The output of a <c>Constant</c> node.</summary>
    ConstantNode,

    /// <summary>A graph input without an initializer: fed at run time.</summary>
    GraphInput,

    /// <summary>The output of another node, computed at run time.</summary>
    Computed,
}

/// <summary>
/// Why a weight operand is or is not prunable (<see cref="PrunableWeights.Explain"/> gives the phrase). When several
/// apply, the source's reason wins over <see cref="InSubgraph"/>.
/// </summary>
public enum PrunableReason
{
    /// <summary>A floating-point dense initializer read by a node of the main graph.</summary>
    Prunable,

    /// <summary>The value is computed by another node (an activation, or a weight behind Transpose/Reshape/...).</summary>
    Computed,

    /// <summary>The value is a graph input fed at run time.</summary>
    GraphInput,

    /// <summary>The value comes from a Constant node, which the executor folds instead of training.</summary>
    ConstantNode,

    /// <summary>The initializer is not floating point (e.g. int8 quantized weights).</summary>
    NotFloat,

    /// <summary>The initializer is stored sparse; training writes weights back into dense initializers only.</summary>
    SparseInitializer,

    /// <summary>The reading node is inside an If/Loop/Scan body, which channel analysis and weight write-back do not follow.</summary>
    InSubgraph,
}

/// <summary>
/// One weight input of one node (see <see cref="PrunableWeights"/> for which inputs are weights) and what it reads.
/// </summary>
/// <param name="Value">The input's name (for an initializer, also the executor's parameter name).</param>
/// <param name="Node">The reading node's name, or <c>OpType#index</c> (index within its graph) when it has none.</param>
/// <param name="OpType">The reading node's operator.</param>
/// <param name="InputIndex">Which input of the node it is.</param>
/// <param name="Source">Where the value comes from.</param>
/// <param name="InSubgraph">Whether the reading node lies inside a sub-graph (at any depth).</param>
/// <param name="Consumers">How many nodes read the value, in any graph (more than one: a shared weight).</param>
/// <param name="Shape">The stored dimensions (e.g. Conv [out, in/group, k...], LSTM W [dirs, 4H, I]); null when known only at run time.</param>
/// <param name="Reason">Why it is or is not prunable.</param>
/// <param name="NodeOrder">The reading node's position in graph order, counting every graph depth-first (a sub-graph's nodes follow their owner).</param>
public sealed record WeightOperand(
    string Value,
    string Node,
    string OpType,
    int InputIndex,
    OperandSource Source,
    bool InSubgraph,
    int Consumers,
    IReadOnlyList<long>? Shape,
    PrunableReason Reason,
    int NodeOrder)
{
    /// <summary>Whether pruning may cut this operand's tensor.</summary>
    public bool IsPrunable => Reason == PrunableReason.Prunable;

    /// <summary>Whether several nodes read the value.</summary>
    public bool IsShared => Consumers > 1;

    /// <summary>Number of elements (1 for a scalar); null when the shape is unknown.</summary>
    public long? Elements => Shape?.Aggregate(1L, (a, d) => a * d);
}
