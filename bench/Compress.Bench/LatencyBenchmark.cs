using System.Diagnostics;
using Compress.Evaluation;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Compress.Bench;

/// <summary>Single-clip latency of one model: every timed run in milliseconds.</summary>
public sealed record LatencyResult(string Name, Measurement Times, IReadOnlyList<double> RatiosToReference);

/// <summary>
/// ONNX Runtime latency of single-clip inference, all models in one process, one intra-op thread, sequential
/// execution. Rounds interleave the models (one run of each per round, the order rotating), so load drift on the
/// shared machine hits every model alike; each model's per-round ratio to the reference gives the ratio's spread.
/// </summary>
public static class LatencyBenchmark
{
    /// <summary>
    /// Measures <paramref name="models"/> (name, plain ONNX path); the first is the reference. Each session gets the
    /// configuration entries its file records (<see cref="OrtSessionConfig"/>), as the app does from the accessor.
    /// </summary>
    public static IReadOnlyList<LatencyResult> Run(IReadOnlyList<(string Name, string Path)> models, int runs, int warmup = 30)
    {
        var bytes = models.Select(m => File.ReadAllBytes(m.Path)).ToList();
        var options = bytes.Select(b =>
        {
            var o = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            OrtSessionConfig.Apply(o, OrtSessionConfig.Read(b));
            return o;
        }).ToList();
        var sessions = bytes.Select((b, i) => new InferenceSession(b, options[i])).ToList();
        try
        {
            var inputs = sessions.Select(MakeInput).ToList();
            var times = models.Select(_ => new List<double>(runs)).ToList();
            for (var round = 0; round < warmup + runs; round++)
            {
                for (var k = 0; k < sessions.Count; k++)
                {
                    var i = (k + round) % sessions.Count;
                    var watch = Stopwatch.StartNew();
                    using (var result = sessions[i].Run(inputs[i]))
                    {
                        _ = result[0].AsTensor<float>()[0, 0];
                    }

                    if (round >= warmup)
                    {
                        times[i].Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
            }

            return models.Select((m, i) => new LatencyResult(
                m.Name,
                new Measurement(m.Name, times[i]),
                times[i].Zip(times[0], (a, b) => a / b).ToList())).ToList();
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
            options.ForEach(o => o.Dispose());
        }
    }

    /// <summary>One clip for the session's only input: shape with every symbolic dimension set to 1, seeded noise.</summary>
    private static List<NamedOnnxValue> MakeInput(InferenceSession session)
    {
        var (name, meta) = session.InputMetadata.First();
        var shape = meta.Dimensions.Select(d => d <= 0 ? 1 : d).ToArray();
        var random = new Random(1);
        var data = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1) * 0.1f;
        }

        return [NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data, shape))];
    }

    /// <summary>The latency table both latency sections print: median, IQR, ratio to the first (dense) model and the IQR of the per-round ratios.</summary>
    public static void AppendTable(System.Text.StringBuilder sb, IReadOnlyList<LatencyResult> latency)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(latency);
        var reference = latency[0];
        sb.AppendLine("| model | median ms | IQR ms | ratio to dense | per-round ratio IQR |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var l in latency)
        {
            var ratios = new Measurement("", l.RatiosToReference);
            sb.AppendLine(Fragments.F($"| {l.Name} | {l.Times.Median:0.000} | {l.Times.P25:0.000}–{l.Times.P75:0.000} | {l.Times.Median / reference.Times.Median:0.000}× | {ratios.P25:0.000}–{ratios.P75:0.000} |"));
        }
    }
}
