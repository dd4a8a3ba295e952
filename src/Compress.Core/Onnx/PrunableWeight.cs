using Compress.Onnx.Proto;

namespace Compress.Onnx;

/// <summary>
/// A weight pruning may cut: a float initializer read by a node at <see cref="InputIndex"/>.
/// <see cref="Shape"/> is the initializer's shape as stored (e.g. Conv [out, in/group, k...], LSTM W [dirs, 4H, I]).
/// </summary>
/// <param name="Initializer">The initializer's name (also the executor's parameter name).</param>
/// <param name="NodeName">The reading node's name, or <c>OpType#index</c> when it has none.</param>
/// <param name="OpType">The reading node's operator type.</param>
/// <param name="InputIndex">Which input of the node the initializer is.</param>
/// <param name="Shape">The initializer's dimensions.</param>
public sealed record PrunableWeight(string Initializer, string NodeName, string OpType, int InputIndex, long[] Shape)
{
    /// <summary>Number of elements (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount => OnnxTensors.ElementCount(Shape);
}

/// <summary>Finds prunable weights; the rule is documented on <see cref="ModelInspector.FindPrunableWeights"/>.</summary>
internal static class PrunableWeights
{
    public static IReadOnlyList<PrunableWeight> Find(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = new List<PrunableWeight>();
        if (model.Graph is not null)
        {
            Visit(model.Graph, new Dictionary<string, long[]>(StringComparer.Ordinal));
        }

        return found;

        void Visit(GraphProto graph, Dictionary<string, long[]> outer)
        {
            var weights = new Dictionary<string, long[]>(outer, StringComparer.Ordinal);
            var constants = new HashSet<string>(outer.Keys, StringComparer.Ordinal);
            foreach (var t in graph.Initializer)
            {
                constants.Add(t.Name);
                if (IsFloat(t.DataType))
                {
                    weights[t.Name] = t.Dims.ToArray();
                }
            }

            foreach (var s in graph.SparseInitializer.Where(s => s.Values is not null))
            {
                constants.Add(s.Values.Name);
                if (IsFloat(s.Values.DataType))
                {
                    weights[s.Values.Name] = s.Dims.ToArray();
                }
            }

            // Inputs shadow initializers of the same name (an initializer that is also a graph input is a default value).
            foreach (var input in graph.Input.Where(i => !graph.Initializer.Any(t => t.Name == i.Name)))
            {
                weights.Remove(input.Name);
                constants.Remove(input.Name);
            }

            for (var i = 0; i < graph.Node.Count; i++)
            {
                var node = graph.Node[i];
                var name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}#{i}" : node.Name;
                if (IsDefaultDomain(node.Domain))
                {
                    foreach (var index in Candidates(node, constants))
                    {
                        if (index < node.Input.Count && weights.TryGetValue(node.Input[index], out var shape))
                        {
                            found.Add(new PrunableWeight(node.Input[index], name, node.OpType, index, shape));
                        }
                    }
                }

                foreach (var attribute in node.Attribute)
                {
                    foreach (var sub in attribute.Graphs.Prepend(attribute.G).Where(g => g is not null))
                    {
                        Visit(sub, weights);
                    }
                }
            }
        }
    }

    private static IEnumerable<int> Candidates(NodeProto node, HashSet<string> constants) => node.OpType switch
    {
        "Conv" or "ConvTranspose" => [1],
        "LSTM" or "GRU" => [1, 2],
        "Gemm" or "MatMul" when node.Input.Count >= 2 =>
            (constants.Contains(node.Input[0]), constants.Contains(node.Input[1])) switch
            {
                (true, false) => [0],
                (false, true) => [1],
                _ => [],
            },
        _ => [],
    };

    private static bool IsDefaultDomain(string domain) => domain is "" or "ai.onnx";

    private static bool IsFloat(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16
        or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Double;
}
