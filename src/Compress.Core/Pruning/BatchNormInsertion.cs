using Compress.Export;
using Compress.Graph;
using Compress.Graph.Operators;
using Compress.Onnx.Proto;
using Compress.Training;
using TorchSharp;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Pruning;

/// <summary>One Conv output's per-channel statistics over the calibration clips (population mean and variance).</summary>
/// <param name="Value">The Conv's output value name.</param>
public sealed record ChannelStatistics(string Value, float[] Mean, float[] Variance);

/// <summary>
/// <c>finetune.insert_batchnorm</c>: PyTorch's default export (eval mode, constant folding) folds every BatchNorm into
/// the Conv before it, so a file fine-tuned as it is has no normalisation left to re-centre a channel whose inputs
/// pruning changed. This puts one back for training and takes it out again for export:
/// <list type="number">
/// <item><see cref="Candidates"/>: every Conv with a float weight (and bias) initializer of its own whose single output is
/// not a graph output and not normalised already (read by a BatchNormalization or InstanceNormalization, directly or
/// through one element-wise activation);</item>
/// <item><see cref="Measure"/>: each such output's per-channel mean μ and variance σ² over up to
/// <see cref="CalibrationClips"/> training clips, run by the executor in evaluation mode on the file as it is;</item>
/// <item><see cref="Insert"/>: a BatchNormalization after each (scale √(σ² + ε), bias μ, running mean μ, running variance
/// σ²), which in evaluation mode is the identity — the model computes what the file computes — and in training mode
/// normalises each batch with its own statistics, as the BatchNorm of the original PyTorch module did;</item>
/// <item><see cref="Fold"/>: after training, each inserted node folded into its Conv with its trained scale and bias and
/// running statistics (<see cref="BatchNormFolding"/>): a per-output-channel scale, so a pruned zero stays zero and the
/// exported graph has the file's nodes (a Conv without bias gains one).</item>
/// </list>
/// Needs opset ≥ 9 (BatchNormalization without <c>spatial</c>); an older model gets none inserted.
/// </summary>
public static class BatchNormInsertion
{
    /// <summary>The name prefix of every node, value and initializer the insertion adds.</summary>
    public const string Prefix = "compress_batchnorm/";

    /// <summary>At most this many training clips are run to measure the statistics (evenly spaced over the split).</summary>
    public const int CalibrationClips = 2048;

    /// <summary>The inserted nodes' ε (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>The inserted nodes' ONNX momentum: running = running·0.9 + batch·0.1 (PyTorch's default momentum 0.1).</summary>
    public const float Momentum = 0.9f;

    /// <summary>Element-wise activations a BatchNormalization may follow instead of the Conv itself (Conv → ReLU → BatchNorm).</summary>
    private static readonly HashSet<string> Activations = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Softplus", "Mish", "Gelu",
    };

    /// <summary>Whether <paramref name="node"/> is a BatchNormalization <see cref="Insert"/> added.</summary>
    public static bool IsInserted(NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.OpType == "BatchNormalization" && node.Name.StartsWith(Prefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// The output value names of the Convs a BatchNormalization can be inserted after and folded back into, in graph
    /// order; with <paramref name="weights"/>, only Convs whose weight is one of them (the weights that feed the trained head).
    /// </summary>
    public static IReadOnlyList<string> Candidates(ModelProto model, IReadOnlySet<string>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var opset = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (graph is null || opset < 9)
        {
            return [];
        }

        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var readers = graph.Node.SelectMany(n => n.Input.Where(i => i.Length > 0).Distinct().Select(i => (Value: i, Node: n)))
            .GroupBy(p => p.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Node).ToList(), StringComparer.Ordinal);
        // Sub-graphs (If/Loop/Scan bodies) may read outer values by name: such a value is never renamed.
        var readInside = graph.Node.SelectMany(n => n.Attribute).SelectMany(a => a.G is null ? a.Graphs : a.Graphs.Append(a.G))
            .SelectMany(g => g.Node).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);

        bool Own(string name) =>
            initializers.TryGetValue(name, out var t) && !graphInputs.Contains(name) && t.DataType == (int)DataType.Float
            && readers.TryGetValue(name, out var r) && r.Count == 1 && !readInside.Contains(name);

        var found = new List<string>();
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Domain is "" or "ai.onnx" && n.Output.Count == 1 && n.Input.Count >= 2))
        {
            var output = conv.Output[0];
            var hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
            var consumers = readers.GetValueOrDefault(output) ?? [];
            if (!Own(conv.Input[1]) || initializers[conv.Input[1]].Dims.Count < 3 || (hasBias && !Own(conv.Input[2]))
                || outputs.Contains(output) || readInside.Contains(output) || consumers.Count == 0
                || consumers.Any(n => Normalising(n) || (Activations.Contains(n.OpType) && n.Output.Count == 1 && (readers.GetValueOrDefault(n.Output[0]) ?? []).Any(Normalising)))
                || (weights is not null && !weights.Contains(conv.Input[1])))
            {
                continue;
            }

            found.Add(output);
        }

        return found;
    }

    /// <summary>
    /// The per-channel mean and variance of each of <paramref name="values"/> (Conv outputs, channel axis 1) over up to
    /// <see cref="CalibrationClips"/> clips of <paramref name="data"/>, evenly spaced, run by <paramref name="module"/> in
    /// evaluation mode (its mode is restored). Accumulated in float64.
    /// </summary>
    public static IReadOnlyList<ChannelStatistics> Measure(OnnxGraphModule module, IReadOnlyList<string> values, ITrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(data);
        if (values.Count == 0 || data.Count == 0)
        {
            return [];
        }

        var clips = Math.Min(CalibrationClips, data.Count);
        var indices = Enumerable.Range(0, clips).Select(i => (int)((long)i * data.Count / clips)).ToArray();
        var sums = new Tensor?[values.Count];
        var squares = new Tensor?[values.Count];
        var counts = new long[values.Count];
        var wasTraining = module.training;
        module.eval();
        try
        {
            using (no_grad())
            {
                foreach (var chunk in indices.Chunk(Math.Max(1, batchSize)))
                {
                    using var scope = NewDisposeScope();
                    var batch = Batches.Read(data, chunk);
                    var input = tensor(batch.Features, batch.Shape);
                    var fetched = module.Graph.Run(Graph.ExecutionContext.Eval, new Dictionary<string, Tensor> { [module.InputNames[0]] = input }, fetch: values);
                    for (var v = 0; v < values.Count; v++)
                    {
                        var x = fetched[values[v]].to(ScalarType.Float64);
                        var channels = x.shape[1];
                        var rows = x.transpose(0, 1).reshape(channels, -1);
                        var sum = rows.sum(1);
                        var square = rows.square().sum(1);
                        sums[v] = sums[v] is { } s ? Keep(s.add(sum), s) : sum.MoveToOuterDisposeScope();
                        squares[v] = squares[v] is { } q ? Keep(q.add(square), q) : square.MoveToOuterDisposeScope();
                        counts[v] += rows.shape[1];
                    }
                }
            }

            var result = new List<ChannelStatistics>(values.Count);
            for (var v = 0; v < values.Count; v++)
            {
                // Scalars held through the calls: a transient one may be finalized while libtorch reads it (RootedScalars).
                using var count = ((double)counts[v]).ToScalar();
                using var mean = sums[v]!.div(count);
                using var square = mean.square();
                using var meanSquare = squares[v]!.div(count);
                using var variance = meanSquare.Minus(square).clamp_min(RootedScalars.Of(0.0));
                result.Add(new ChannelStatistics(values[v], Floats(mean), Floats(variance)));
            }

            return result;
        }
        finally
        {
            foreach (var t in sums.Concat(squares))
            {
                t?.Dispose();
            }

            module.train(wasTraining);
        }
    }

    /// <summary>
    /// A copy of <paramref name="model"/> with a BatchNormalization after each Conv output in <paramref name="statistics"/>
    /// (see the class summary), inserted right after its Conv: the Conv writes a new value, the BatchNormalization the
    /// Conv's old output name, so every reader and value_info stays as it was.
    /// </summary>
    public static ModelProto Insert(ModelProto model, IReadOnlyList<ChannelStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(statistics);
        var result = model.Clone();
        var graph = result.Graph;
        var names = graph.Initializer.Select(t => t.Name).Concat(graph.Input.Select(i => i.Name))
            .Concat(graph.Node.SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))).ToHashSet(StringComparer.Ordinal);
        foreach (var stats in statistics)
        {
            var index = graph.Node.ToList().FindIndex(n => n.OpType == "Conv" && n.Output.Count == 1 && n.Output[0] == stats.Value);
            if (index < 0)
            {
                throw new ArgumentException($"no Conv writes '{stats.Value}'", nameof(statistics));
            }

            var conv = graph.Node[index];
            var channels = stats.Mean.Length;
            var w = graph.Initializer.First(t => t.Name == conv.Input[1]);
            var weights = GraphEdits.Floats(w);
            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? graph.Initializer.First(t => t.Name == conv.Input[2]) : null;
            var biases = bias is null ? null : GraphEdits.Floats(bias);
            var inner = weights.Length / channels;
            var (scale, shift, mean, variance) = (new float[channels], new float[channels], new float[channels], new float[channels]);
            for (var c = 0; c < channels; c++)
            {
                // The Conv's channel divided by s = √(σ² + ε): its output has unit variance, so one global magnitude
                // threshold compares channels as a BatchNorm-ed module's weights, not by the folded BatchNorm's scale.
                var s = MathF.Sqrt(stats.Variance[c] + Epsilon);
                for (var i = c * inner; i < (c + 1) * inner; i++)
                {
                    weights[i] /= s;
                }

                if (biases is not null)
                {
                    biases[c] /= s;
                }

                mean[c] = stats.Mean[c] / s;
                variance[c] = stats.Variance[c] / (s * s);
                scale[c] = s * MathF.Sqrt(variance[c] + Epsilon);
                shift[c] = stats.Mean[c];
            }

            graph.Initializer[graph.Initializer.IndexOf(w)] = GraphEdits.FloatTensor(w.Name, weights, w.Dims, w);
            if (bias is not null)
            {
                graph.Initializer[graph.Initializer.IndexOf(bias)] = GraphEdits.FloatTensor(bias.Name, biases!, bias.Dims, bias);
            }

            var stem = Prefix + stats.Value;
            var parameters = new[] { ("scale", scale), ("bias", shift), ("mean", mean), ("var", variance) }
                .Select(p => GraphEdits.FloatTensor(GraphEdits.Unique(names, $"{stem}/{p.Item1}"), p.Item2, [p.Item2.Length]))
                .ToList();
            var normalised = GraphEdits.Unique(names, stem + "/input");
            conv.Output[0] = normalised;
            var norm = new NodeProto { OpType = "BatchNormalization", Name = GraphEdits.Unique(names, stem) };
            graph.Initializer.AddRange(parameters);
            norm.Input.Add(normalised);
            norm.Input.AddRange(parameters.Select(p => p.Name));
            norm.Output.Add(stats.Value);
            norm.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = Epsilon });
            norm.Attribute.Add(new AttributeProto { Name = "momentum", Type = AttributeProto.Types.AttributeType.Float, F = Momentum });
            graph.Node.Insert(index + 1, norm);
        }

        return result;
    }

    /// <summary>
    /// <paramref name="trained"/> with every inserted BatchNormalization folded into its Conv (and nothing else folded);
    /// throws <see cref="InvalidOperationException"/> if one could not be (the graph was changed around it).
    /// </summary>
    public static ModelProto Fold(ModelProto trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var inserted = trained.Graph.Node.Count(IsInserted);
        var (folded, count) = BatchNormFolding.Apply(trained, IsInserted);
        return count == inserted
            ? folded
            : throw new InvalidOperationException($"{inserted - count} of {inserted} inserted BatchNormalization node(s) could not be folded back into their Conv");
    }

    private static bool Normalising(NodeProto node) => node.OpType is "BatchNormalization" or "InstanceNormalization";

    private static Tensor Keep(Tensor sum, Tensor old)
    {
        old.Dispose();
        return sum.MoveToOuterDisposeScope();
    }

    private static float[] Floats(Tensor t)
    {
        using var f = t.to(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }
}
