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
/// A weight initializer that pruning may zero: its ONNX name, the node that consumes it (first one, in graph
/// order), the node's operator, its shape, and whether it is pruned (<see cref="Status"/>).
/// </summary>
public sealed record PrunableTensor(string Name, string Node, string OpType, IReadOnlyList<long> Shape, PrunableStatus Status)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>Finds the prunable weights of a model (see <see cref="PruningOptions"/> for the rules).</summary>
public static class PrunableWeights
{
    /// <summary>Operators whose weights are prunable.</summary>
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal) { "Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM", "GRU" };

    /// <summary>All prunable weights in graph order, with their status under <paramref name="options"/>.</summary>
    public static IReadOnlyList<PrunableTensor> Find(ModelProto model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var floats = graph.Initializer
            .Where(t => t.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16)
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        var found = new List<(string Name, NodeProto Node, int NodeIndex)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            foreach (var operand in WeightOperands(node))
            {
                if (operand < node.Input.Count && floats.ContainsKey(node.Input[operand]) && seen.Add(node.Input[operand]))
                {
                    found.Add((node.Input[operand], node, i));
                }
            }
        }

        var nodeOrder = found.Select(f => f.NodeIndex).Distinct().ToList();
        var protectedNodes = options.ProtectFirstAndLast && nodeOrder.Count > 0 ? new HashSet<int> { nodeOrder[0], nodeOrder[^1] } : [];
        var result = new List<PrunableTensor>(found.Count);
        foreach (var (name, node, index) in found)
        {
            var nodeName = node.Name ?? "";
            var included = options.Include is not { Count: > 0 } include || Glob.AnyMatch(include, name, nodeName);
            var excluded = options.Exclude is { Count: > 0 } exclude && Glob.AnyMatch(exclude, name, nodeName);
            var status = !included || excluded ? PrunableStatus.Excluded
                : protectedNodes.Contains(index) ? PrunableStatus.Protected
                : PrunableStatus.Eligible;
            result.Add(new PrunableTensor(name, nodeName, node.OpType, floats[name].Dims.ToArray(), status));
        }

        return result;
    }

    /// <summary>The operand positions that hold weights (never biases) for a node's operator.</summary>
    private static int[] WeightOperands(NodeProto node) => node.Domain is not ("" or "ai.onnx") ? [] : node.OpType switch
    {
        "Conv" or "ConvTranspose" => [1],
        "Gemm" or "MatMul" => [0, 1],
        "LSTM" or "GRU" => [1, 2],
        _ => [],
    };
}
