using Compress.Graph;
using Compress.Onnx.Proto;

namespace Compress.Pruning;

/// <summary>Why a prunable tensor is or is not pruned.</summary>
public enum PrunableStatus
{
    /// <summary>Pruned toward the target.</summary>
    Eligible,

    /// <summary>The first or last prunable node, protected by <see cref="PruningOptions.ProtectFirstAndLast"/>.</summary>
    Protected,

    /// <summary>Left out by <see cref="PruningOptions.Include"/> or <see cref="PruningOptions.Exclude"/>.</summary>
    Excluded,
}

/// <summary>
/// A weight initializer that pruning may zero: its ONNX name, the node that consumes it (first prunable use, in graph
/// order), the node's operator, its shape as stored, whether it is pruned (<see cref="Status"/>), and every weight
/// operand that reads it (<see cref="Uses"/>: more than one for a shared weight).
/// </summary>
public sealed record PrunableTensor(string Name, string Node, string OpType, IReadOnlyList<long> Shape, PrunableStatus Status, IReadOnlyList<WeightOperand> Uses)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// The one rule for "prunable weight", used by <c>inspect</c>, <c>validate</c> and <c>run</c>.
/// <para>
/// A <em>weight operand</em> is a node input listed in the registry below (default ONNX domain only): input 1 (W) of
/// Conv and ConvTranspose; input 1 (B) of Gemm and MatMul, and input 0 (A) when A is a constant (an initializer or a
/// Constant node's output); inputs 1 (W) and 2 (R) of LSTM and GRU. Biases, normalisation parameters and running
/// statistics are never weight operands. Nodes inside sub-graphs (If/Loop/Scan bodies) are visited too, resolving
/// names through the enclosing graphs (a sub-graph's inputs and initializers shadow outer names).
/// </para>
/// <para>
/// A weight operand is prunable when it reads a floating-point (float32/float16/bfloat16/double) dense initializer
/// and its node is in the main graph; otherwise <see cref="WeightOperand.Reason"/> says why not. A tensor is prunable
/// when any of its uses is: a weight shared by several nodes is one prunable tensor, listed once.
/// </para>
/// </summary>
public static class PrunableWeights
{
    /// <summary>The weight inputs of each operator (default domain): the one table; extend it here.</summary>
    private static readonly Dictionary<string, WeightSlots> Registry = new(StringComparer.Ordinal)
    {
        ["Conv"] = new([1]),
        ["ConvTranspose"] = new([1]),
        ["Gemm"] = new([1], IfConstant: [0]),
        ["MatMul"] = new([1], IfConstant: [0]),
        ["LSTM"] = new([1, 2]),
        ["GRU"] = new([1, 2]),
    };

    /// <summary>Operators that have weight operands, in registry order.</summary>
    public static IReadOnlyCollection<string> Operators => Registry.Keys;

    /// <summary>Every weight operand of <paramref name="model"/>, sub-graphs included, in graph order (a sub-graph's nodes follow their owner).</summary>
    public static IReadOnlyList<WeightOperand> Operands(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var consumers = new Dictionary<Definition, int>(ReferenceEqualityComparer.Instance);
        var pending = new List<(NodeProto Node, string Name, int Index, Definition Source, bool InSubgraph, int Order)>();
        var order = 0;
        Visit(graph, null, inSubgraph: false);
        return pending.Select(p => new WeightOperand(
            p.Node.Input[p.Index], p.Name, p.Node.OpType, p.Index, p.Source.Source, p.InSubgraph, consumers.GetValueOrDefault(p.Source), p.Source.Shape,
            ReasonFor(p.Source, p.InSubgraph), p.Order)).ToList();

        void Visit(GraphProto g, Scope? outer, bool inSubgraph)
        {
            var scope = Scope.Of(g, outer);
            for (var i = 0; i < g.Node.Count; i++)
            {
                var node = g.Node[i];
                var position = order++;
                foreach (var input in node.Input.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
                {
                    if (scope.Resolve(input) is { } read)
                    {
                        consumers[read] = consumers.GetValueOrDefault(read) + 1;
                    }
                }

                if (OperatorRegistry.Normalise(node.Domain).Length == 0 && Registry.TryGetValue(node.OpType, out var slots))
                {
                    var name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}#{i}" : node.Name;
                    foreach (var index in slots.Of(node, scope))
                    {
                        pending.Add((node, name, index, scope.Resolve(node.Input[index]) ?? Definition.Unknown, inSubgraph, position));
                    }
                }

                foreach (var attribute in node.Attribute)
                {
                    foreach (var sub in attribute.Graphs.Prepend(attribute.G).Where(s => s is not null))
                    {
                        Visit(sub, scope, inSubgraph: true);
                    }
                }
            }
        }
    }

    /// <summary>The prunable tensors in order of first use, with their status under <paramref name="options"/> (see <see cref="PruningOptions"/>).</summary>
    public static IReadOnlyList<PrunableTensor> Find(ModelProto model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byValue = Operands(model).GroupBy(o => o.Value, StringComparer.Ordinal).Where(g => g.Any(o => o.IsPrunable)).ToList();
        var firsts = byValue.Select(g => g.First(o => o.IsPrunable)).ToList();
        var nodeOrder = firsts.Select(f => f.NodeOrder).Distinct().ToList();
        var protectedNodes = options.ProtectFirstAndLast && nodeOrder.Count > 0 ? new HashSet<int> { nodeOrder[0], nodeOrder[^1] } : [];
        return byValue.Zip(firsts, (uses, first) =>
        {
            var included = options.Include is not { Count: > 0 } include || Glob.AnyMatch(include, first.Value, first.Node);
            var excluded = options.Exclude is { Count: > 0 } exclude && Glob.AnyMatch(exclude, first.Value, first.Node);
            var status = !included || excluded ? PrunableStatus.Excluded
                : protectedNodes.Contains(first.NodeOrder) ? PrunableStatus.Protected
                : PrunableStatus.Eligible;
            return new PrunableTensor(first.Value, first.Node, first.OpType, first.Shape!, status, uses.ToList());
        }).ToList();
    }

    /// <summary>One weight operand per value none of whose uses is prunable (the first use), in order of first use.</summary>
    public static IReadOnlyList<WeightOperand> NotPrunable(ModelProto model) =>
        Operands(model).GroupBy(o => o.Value, StringComparer.Ordinal).Where(g => !g.Any(o => o.IsPrunable)).Select(g => g.First()).ToList();

    // Switches over the two enums name every member and have no '_' arm, so adding a member fails the build (CS8509)
    // at each place that must handle it.

    /// <summary>The reason as a phrase for reports and <c>inspect</c>.</summary>
    public static string Explain(PrunableReason reason) => reason switch
    {
        PrunableReason.Prunable => "prunable",
        PrunableReason.Computed => "computed at run time by another node",
        PrunableReason.GraphInput => "a graph input, fed at run time",
        PrunableReason.ConstantNode => "the output of a Constant node, not an initializer (the executor folds it instead of training it)",
        PrunableReason.NotFloat => "not a floating-point tensor",
        PrunableReason.SparseInitializer => "stored in sparse_initializer (training writes weights back into dense initializers only)",
        PrunableReason.InSubgraph => "read inside a sub-graph (If/Loop/Scan body), which channel analysis and weight write-back do not follow",
    };

    private static PrunableReason ReasonFor(Definition source, bool inSubgraph) => source.Source switch
    {
        OperandSource.Computed => PrunableReason.Computed,
        OperandSource.GraphInput => PrunableReason.GraphInput,
        OperandSource.ConstantNode => PrunableReason.ConstantNode,
        OperandSource.Initializer or OperandSource.SparseInitializer when !source.IsFloat => PrunableReason.NotFloat,
        OperandSource.SparseInitializer => PrunableReason.SparseInitializer,
        OperandSource.Initializer => inSubgraph ? PrunableReason.InSubgraph : PrunableReason.Prunable,
    };

    private static bool IsFloat(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16
        or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Double;

    /// <summary>Weight inputs of one operator: <paramref name="Always"/>, plus <paramref name="IfConstant"/> when the input is a constant.</summary>
    private sealed record WeightSlots(int[] Always, int[]? IfConstant = null)
    {
        public IEnumerable<int> Of(NodeProto node, Scope scope) => Always
            .Concat((IfConstant ?? []).Where(i => i < node.Input.Count && scope.Resolve(node.Input[i])?.Source is OperandSource.Initializer or OperandSource.SparseInitializer or OperandSource.ConstantNode))
            .Where(i => i < node.Input.Count && node.Input[i].Length > 0)
            .Order();
    }

    /// <summary>What a name stands for in a graph: where it comes from, its stored shape (null: known only at run time), whether it is floating point.</summary>
    private sealed class Definition(OperandSource source, IReadOnlyList<long>? shape, bool isFloat)
    {
        /// <summary>A name no enclosing graph defines (a broken model): treated as computed.</summary>
        public static Definition Unknown { get; } = new(OperandSource.Computed, null, false);

        public OperandSource Source { get; } = source;

        public IReadOnlyList<long>? Shape { get; } = shape;

        public bool IsFloat { get; } = isFloat;
    }

    /// <summary>The names one graph defines, falling back to the enclosing graph's.</summary>
    private sealed class Scope(Scope? outer)
    {
        private readonly Dictionary<string, Definition> _names = new(StringComparer.Ordinal);

        public static Scope Of(GraphProto graph, Scope? outer)
        {
            var scope = new Scope(outer);
            foreach (var input in graph.Input)
            {
                scope._names[input.Name] = new Definition(OperandSource.GraphInput, null, IsFloat(input.Type?.TensorType?.ElemType ?? 0));
            }

            // An initializer that is also a graph input (older exporters list every weight as an input) is a weight.
            foreach (var t in graph.Initializer)
            {
                scope._names[t.Name] = new Definition(OperandSource.Initializer, t.Dims.ToArray(), IsFloat(t.DataType));
            }

            foreach (var s in graph.SparseInitializer.Where(s => s.Values is not null))
            {
                scope._names[s.Values.Name] = new Definition(OperandSource.SparseInitializer, s.Dims.ToArray(), IsFloat(s.Values.DataType));
            }

            foreach (var node in graph.Node)
            {
                var constant = node.OpType == "Constant" && OperatorRegistry.Normalise(node.Domain).Length == 0;
                foreach (var output in node.Output.Where(o => o.Length > 0))
                {
                    scope._names[output] = constant ? ConstantValue(node) : new Definition(OperandSource.Computed, null, false);
                }
            }

            return scope;
        }

        public Definition? Resolve(string name) => _names.TryGetValue(name, out var d) ? d : outer?.Resolve(name);

        private static Definition ConstantValue(NodeProto node)
        {
            var value = node.Attribute.FirstOrDefault();
            return value?.Name switch
            {
                "value" when value.T is { } t => new Definition(OperandSource.ConstantNode, t.Dims.ToArray(), IsFloat(t.DataType)),
                "sparse_value" when value.SparseTensor is { } s => new Definition(OperandSource.ConstantNode, s.Dims.ToArray(), IsFloat(s.Values?.DataType ?? 0)),
                "value_float" => new Definition(OperandSource.ConstantNode, [], true),
                "value_floats" => new Definition(OperandSource.ConstantNode, [value.Floats.Count], true),
                _ => new Definition(OperandSource.ConstantNode, null, false),
            };
        }
    }
}
