using System.Diagnostics;
using System.Text;
using Compress.Onnx;
using Compress.Onnx.Proto;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Latency of the networks alone: the exported models of a <c>models</c> run with the prepended front-end cut
/// off (the graph input becomes the feature tensor the front-end fed), so a structured model's speed-up is not
/// diluted by the front-end, which pruning does not touch. Measured like <see cref="LatencyBenchmark"/>.
/// </summary>
public static class NetworkLatencySection
{
    /// <summary>Writes fragment 35-network-latency from the seed-1 runs in the results folder.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var feature = OnnxModelIO.Load(args.Model).Graph.Input[0];
        var models = new List<(string, string)>();
        foreach (var point in AccuracySweep.Points(args))
        {
            var plain = Path.Combine(args.Results, "runs", $"{point.Name}-s1", "model.plain.onnx");
            if (!File.Exists(plain))
            {
                continue;
            }

            var network = Path.ChangeExtension(plain, ".network.onnx");
            File.WriteAllBytes(network, OnnxModelIO.Save(NetworkOnly(OnnxModelIO.Load(plain), feature)));
            models.Add((point.Name, network));
        }

        if (models.Count == 0 || models[0].Item1 != "dense")
        {
            throw new InvalidOperationException($"no dense model in {args.Results}/runs; run the models section first");
        }

        log.WriteLine($"network latency: {models.Count} models");
        var latency = LatencyBenchmark.Run(models, args.LatencyRuns);
        var reference = latency[0];
        var sb = new StringBuilder();
        sb.AppendLine("### 3b. Latency of the network alone (front-end cut off)");
        sb.AppendLine();
        sb.AppendLine(F($"The same exported files with the prepended front-end removed (graph input = the {string.Join('×', feature.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue))} log-mel tensor, fed seeded noise), measured exactly as above ({args.LatencyRuns} interleaved calls per model, one thread). The front-end is the same in every model and pruning cannot shrink it, so this is where the structured target applies to the pruned network."));
        sb.AppendLine();
        LatencyBenchmark.AppendTable(sb, latency);

        var channel50 = latency.FirstOrDefault(l => l.Name == "channel-50");
        if (channel50 is not null)
        {
            var ratio = channel50.Times.Median / reference.Times.Median;
            sb.AppendLine();
            sb.AppendLine(F($"Structured target on the network alone: channel 50 % ≤ 0.6× — measured **{ratio:0.000}×**: **{(ratio <= 0.6 ? "met" : "not met")}**."));
        }

        Write(args, "35-network-latency", sb.ToString(), watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// <paramref name="model"/> without the nodes that compute <paramref name="feature"/> (the front-end), with
    /// <paramref name="feature"/> as its only input and the initializers nothing uses any more removed.
    /// </summary>
    public static ModelProto NetworkOnly(ModelProto model, ValueInfoProto feature)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        if (!producers.ContainsKey(feature.Name))
        {
            throw new InvalidOperationException($"'{feature.Name}' is not computed in the model: no front-end to cut");
        }

        var frontEnd = new HashSet<NodeProto>();
        var pending = new Stack<string>([feature.Name]);
        while (pending.Count > 0)
        {
            if (producers.TryGetValue(pending.Pop(), out var node) && frontEnd.Add(node))
            {
                foreach (var input in node.Input)
                {
                    pending.Push(input);
                }
            }
        }

        var kept = graph.Node.Where(n => !frontEnd.Contains(n)).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var used = kept.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        var sparse = graph.SparseInitializer.Where(t => used.Contains(t.Values.Name)).ToList();
        graph.SparseInitializer.Clear();
        graph.SparseInitializer.AddRange(sparse);
        graph.Input.Clear();
        graph.Input.Add(feature.Clone());
        return copy;
    }
}
