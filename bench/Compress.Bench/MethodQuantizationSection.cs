using System.Diagnostics;
using System.Text;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Issue 19's "a row for every method × {float, int8 post-training, int8 aware}": section 1's 80 % points of every
/// unstructured method and channel 50 %, each exported float (the sweep point itself, so <c>--resume true</c> reuses
/// section 1's and 1b's runs), with int8 weights and activations quantized after training, and with int8 weights
/// trained against in the last epoch (at the final sparsity) and int8 activations — accuracy, sizes and single-clip
/// ONNX Runtime latency of all of them interleaved with the dense model.
/// </summary>
public static class MethodQuantizationSection
{
    /// <summary>The float points of section 1 that get int8 twins.</summary>
    private static readonly string[] FloatPoints = ["dense", "magnitude-80", "gradient-80", "l1-80", "l2-80", "channel-50"];

    /// <summary>The int8 variants: name suffix and the overrides added to the float point.</summary>
    private static readonly (string Suffix, string[] Overrides)[] Variants =
    [
        ("int8", ["quantize.weights=int8", "quantize.activations=int8"]),
        ("int8-aware", ["quantize.weights=int8", "quantize.activations=int8", "quantize.mode=aware", "quantize.aware_epochs=1"]),
    ];

    /// <summary>Trains every (method, variant) with seed 1, measures the latencies together, writes fragment 46-quantization-methods.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var sweep = AccuracySweep.Points(args);
        var floats = FloatPoints.Select(name => sweep.SingleOrDefault(p => p.Name == name)
            ?? throw new InvalidOperationException($"section 1 has no point '{name}' (drop --only-points)")).ToList();
        var points = floats.Concat(floats.Where(p => p.Method != "none").SelectMany(p => Variants.Select(v => p with
        {
            Name = p.Name + "-" + v.Suffix,
            Overrides = [.. p.Overrides, .. v.Overrides],
        }))).ToList();
        var results = new List<SweepResult>();
        foreach (var point in points)
        {
            var r = AccuracySweep.Run(args, point, seed: 1);
            results.Add(r);
            log.WriteLine(F($"{point.Name}: accuracy {r.Accuracy:0.0000} sparsity {r.Sparsity:0.000} embedded {r.EmbeddedBytes} ({r.WallSeconds:0} s)"));
        }

        var latency = LatencyBenchmark.Run([.. results.Select(r => (r.Point.Name, r.ModelPath))], args.LatencyRuns);
        Write(args, "46-quantization-methods", Markdown(args, results, latency), watch.Elapsed.TotalSeconds);
    }

    private static string Markdown(BenchArguments args, List<SweepResult> results, IReadOnlyList<LatencyResult> latency)
    {
        var dense = results.Single(r => r.Point.Method == "none");
        var sb = new StringBuilder();
        sb.AppendLine("### 4b-2. Every method × {float, int8 post-training, int8 aware}");
        sb.AppendLine();
        sb.AppendLine(F($"Section 1's budget ({args.Epochs} fine-tuning epochs, target reached at epoch {Math.Max(1, args.Epochs - 1)}, `*.dw.weight` excluded for the unstructured methods), seed 1, one run per row: every unstructured method at 80 % and channel 50 %, exported float (section 1's point itself), with int8 weights and activations quantized after training (*int8*: `quantize.weights: int8`, `quantize.activations: int8`, 200 calibration clips, minmax) and with the int8 weights trained against in the last epoch, at the final sparsity (*int8-aware*: `quantize.mode: aware`, `quantize.aware_epochs: 1`). The float and post-training runs of a method train identically (same seed, same data order), so their difference is the quantization alone. Accuracy: ONNX Runtime on the exported file, voice-disjoint test split. *of dense*: embedded bytes / the dense export's bytes (same front end). Latency: one clip per call, 1 thread, all {results.Count} models interleaved round by round ({args.LatencyRuns} rounds after 30 warm-up), front end included, each session with the configuration its file records; */ dense*: median of the per-round ratios to the dense model. {MachineInfo.CpuSentence()}"));
        sb.AppendLine();
        sb.AppendLine("| model | accuracy | Δ vs float | Δ vs dense | sparsity | embedded bytes | of dense | ORT ms (IQR) | / dense (IQR) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var floatRow = results.FirstOrDefault(x => r.Point.Name.StartsWith(x.Point.Name + "-int8", StringComparison.Ordinal));
            var vsFloat = floatRow is null ? "" : F($"{r.Accuracy - floatRow.Accuracy:+0.0000;-0.0000;0.0000}");
            var vsDense = ReferenceEquals(r, dense) ? "" : F($"{r.Accuracy - dense.Accuracy:+0.0000;-0.0000;0.0000}");
            var t = latency[i].Times;
            var ratio = new Measurement("", latency[i].RatiosToReference);
            sb.AppendLine(F($"| {r.Point.Name} | {r.Accuracy:0.0000} | {vsFloat} | {vsDense} | {r.Sparsity:0.000} | {r.EmbeddedBytes:N0} | {(double)r.EmbeddedBytes / dense.ExportedBytes:0.0%} | {t.Median:0.000} ({t.P25:0.000}–{t.P75:0.000}) | {ratio.Median:0.00}× ({ratio.P25:0.00}–{ratio.P75:0.00}) |"));
        }

        sb.AppendLine();
        var methods = results.Where(r => r.Point.Method != "none" && !r.Point.Name.Contains("-int8", StringComparison.Ordinal)).ToList();
        var lines = methods.Select(f =>
        {
            var variants = results.Where(r => r.Point.Name.StartsWith(f.Point.Name + "-int8", StringComparison.Ordinal)).ToList();
            var best = variants.MaxBy(r => r.Accuracy)!;
            var fastest = latency[results.IndexOf(f)].Times.Median <= variants.Min(v => latency[results.IndexOf(v)].Times.Median) ? "float" : "int8";
            return F($"{f.Point.Name}: best int8 {best.Point.Name[(f.Point.Name.Length + 1)..]} {best.Accuracy - f.Accuracy:+0.0000;-0.0000;0.0000} vs float, embedded {(double)best.EmbeddedBytes / f.EmbeddedBytes:0.00}× float's; the faster file is {fastest}");
        });
        sb.AppendLine("Per method, on this run: " + string.Join("; ", lines) + ".");
        return sb.ToString();
    }
}
