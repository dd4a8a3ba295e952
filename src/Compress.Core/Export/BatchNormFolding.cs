using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Export;

/// <summary>
/// Folds an inference-mode BatchNormalization into the Conv before it, before int8 activations are added: otherwise
/// the Conv's output is requantized for a float BatchNormalization and quantized again after it, and ONNX Runtime cannot
/// run Conv → Relu → Conv in integers. For each output channel c, with k = scale_c / √(var_c + ε):
/// W'_c = k · W_c and B'_c = k · (B_c − mean_c) + bias_c. A zero weight stays exactly zero, and symmetric per-channel
/// int8 quantization of W' has the same grid as W's up to the channel's scale, so the fold changes neither sparsity nor
/// what quantization keeps. Only folds when the Conv's W (and B, if any) are float initializers read by that Conv
/// alone, its output is read only by the BatchNormalization, and the BatchNormalization's four parameters are float
/// initializers; the BatchNormalization's output name is kept.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// The copy of <paramref name="model"/> with every foldable Conv → BatchNormalization pair folded (only the
    /// BatchNormalizations <paramref name="which"/> accepts, when given), and how many.
    /// </summary>
    public static (ModelProto Model, int Folded) Apply(ModelProto model, Func<NodeProto, bool>? which = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = model.Clone();
        var graph = result.Graph;
        var initializers = graph.Initializer.Select((t, i) => (t.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var reads = graph.Node.SelectMany(n => n.Input).Where(i => i.Length > 0).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var names = graph.Initializer.Select(t => t.Name).Concat(graph.Node.SelectMany(n => n.Input.Concat(n.Output))).ToHashSet(StringComparer.Ordinal);
        var folded = 0;
        foreach (var norm in graph.Node.Where(n => n.OpType == "BatchNormalization" && (which is null || which(n))).ToList())
        {
            var conv = graph.Node.FirstOrDefault(n => n.OpType == "Conv" && n.Output.Count == 1 && n.Output[0] == norm.Input[0]);
            if (conv is null || !Foldable(conv, norm, initializers, reads, outputs, graphInputs, graph))
            {
                continue;
            }

            var w = graph.Initializer[initializers[conv.Input[1]]];
            var weights = GraphEdits.Floats(w);
            var channels = (int)w.Dims[0];
            var inner = weights.Length / channels;
            var (scale, bias, mean, variance) = (Param(graph, initializers, norm, 1), Param(graph, initializers, norm, 2), Param(graph, initializers, norm, 3), Param(graph, initializers, norm, 4));
            var epsilon = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            var convBias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? GraphEdits.Floats(graph.Initializer[initializers[conv.Input[2]]]) : new float[channels];
            var newBias = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                var k = scale[c] / MathF.Sqrt(variance[c] + epsilon);
                for (var i = c * inner; i < (c + 1) * inner; i++)
                {
                    weights[i] *= k;
                }

                newBias[c] = (k * (convBias[c] - mean[c])) + bias[c];
            }

            graph.Initializer[initializers[conv.Input[1]]] = GraphEdits.FloatTensor(w.Name, weights, w.Dims, w);
            if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
            {
                var b = graph.Initializer[initializers[conv.Input[2]]];
                graph.Initializer[initializers[conv.Input[2]]] = GraphEdits.FloatTensor(b.Name, newBias, b.Dims, b);
            }
            else
            {
                var name = GraphEdits.Unique(names, conv.Input[1] + "_folded_bias");
                graph.Initializer.Add(GraphEdits.FloatTensor(name, newBias, [channels]));
                initializers[name] = graph.Initializer.Count - 1;
                conv.Input.Add(name);
            }

            var gone = conv.Output[0];
            conv.Output[0] = norm.Output[0];
            graph.Node.Remove(norm);
            for (var i = graph.ValueInfo.Count - 1; i >= 0; i--)
            {
                if (graph.ValueInfo[i].Name == gone)
                {
                    graph.ValueInfo.RemoveAt(i);
                }
            }

            folded++;
        }

        // The folded BatchNormalizations' parameters are read by nothing now.
        if (folded > 0)
        {
            var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
            for (var i = graph.Initializer.Count - 1; i >= 0; i--)
            {
                if (!read.Contains(graph.Initializer[i].Name) && !outputs.Contains(graph.Initializer[i].Name) && !graphInputs.Contains(graph.Initializer[i].Name))
                {
                    graph.Initializer.RemoveAt(i);
                }
            }
        }

        return (result, folded);
    }

    private static bool Foldable(NodeProto conv, NodeProto norm, Dictionary<string, int> initializers, Dictionary<string, int> reads, HashSet<string> outputs, HashSet<string> graphInputs, GraphProto graph)
    {
        bool Constant(string name) => initializers.TryGetValue(name, out var i) && !graphInputs.Contains(name) && graph.Initializer[i].DataType == (int)DataType.Float;
        var training = norm.Attribute.FirstOrDefault(a => a.Name == "training_mode")?.I ?? 0;
        var hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
        return training == 0 && norm.Output.Count(o => o.Length > 0) == 1 && norm.Input.Count == 5
            && reads.GetValueOrDefault(conv.Output[0]) == 1 && !outputs.Contains(conv.Output[0])
            && Constant(conv.Input[1]) && reads[conv.Input[1]] == 1 && graph.Initializer[initializers[conv.Input[1]]].Dims.Count >= 3
            && (!hasBias || (Constant(conv.Input[2]) && reads[conv.Input[2]] == 1))
            && norm.Input.Skip(1).All(Constant)
            && norm.Input.Skip(1).All(p => graph.Initializer[initializers[p]].Dims.Aggregate(1L, (a, d) => a * d) == graph.Initializer[initializers[conv.Input[1]]].Dims[0]);
    }

    private static float[] Param(GraphProto graph, Dictionary<string, int> initializers, NodeProto norm, int input) => GraphEdits.Floats(graph.Initializer[initializers[norm.Input[input]]]);
}
