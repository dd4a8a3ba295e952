using System.Diagnostics;
using System.Text;
using Compress.Features;
using Compress.Onnx;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Issue 19's table: the sample's recipe (gradient 80 %) and channel 50 %, each as float, int8 weights post-training
/// and int8 weights quantization-aware, against the dense model — accuracy, sizes, and single-clip ONNX Runtime
/// latency interleaved with the dense model as it shipped before the front end's rewrite (Conv1d DFT) and after.
/// </summary>
public static class QuantizationSection
{
    /// <summary>Trains every variant, measures the latencies together, writes fragment 45-quantization.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        // The sample's schedule: pruning ends half-way, so the aware epochs (the last 2) train at the final sparsity.
        var endEpoch = Math.Max(1, args.Epochs / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] gradient = ["pruning.method=gradient", "pruning.target_sparsity=0.8", $"pruning.schedule.end_epoch={endEpoch}", "pruning.exclude=[\"*.dw.weight\"]"];
        string[] channel = ["pruning.method=channel", "pruning.target_sparsity=0.5", $"pruning.schedule.end_epoch={endEpoch}", "pruning.exclude="];
        string[] int8 = ["quantize.weights=int8"];
        string[] aware = ["quantize.weights=int8", "quantize.mode=aware", "quantize.aware_epochs=2"];
        string[] activations = ["quantize.weights=int8", "quantize.activations=int8"];
        var points = new List<SweepPoint>
        {
            new("dense", "none", 0, ["pruning="]),
            new("gradient-80 float", "gradient", 0.8, gradient),
            new("gradient-80 int8", "gradient", 0.8, [.. gradient, .. int8]),
            new("gradient-80 int8 aware", "gradient", 0.8, [.. gradient, .. aware]),
            new("gradient-80 int8 w+a aware", "gradient", 0.8, [.. gradient, .. aware, "quantize.activations=int8"]),
            new("channel-50 float", "channel", 0.5, channel),
            new("channel-50 int8 w+a", "channel", 0.5, [.. channel, .. activations]),
        };
        var results = new List<SweepResult>();
        foreach (var point in points)
        {
            var start = Stopwatch.StartNew();
            var r = AccuracySweep.Run(args, point with { Name = point.Name.Replace(' ', '-') }, seed: 1);
            results.Add(r with { Point = point });
            log.WriteLine(F($"{point.Name}: accuracy {r.Accuracy:0.0000} sparsity {r.Sparsity:0.000} embedded {r.EmbeddedBytes} ({start.Elapsed.TotalSeconds:0} s)"));
        }

        var trainSeconds = watch.Elapsed.TotalSeconds;

        // The dense model as the sample shipped it before the front end's rewrite: the same network, Conv1d front end.
        Runtime.TorchRuntime.Initialize();
        var spec = Spec.SpecParser.Parse(args.Spec).Spec ?? throw new InvalidOperationException($"cannot read {args.Spec}");
        var frontEnd = Pipeline.SpecMapping.FrontEnd(spec.Features);
        var before = Path.Combine(args.Results, "runs", "dense-conv-front-end.onnx");
        File.WriteAllBytes(before, OnnxModelIO.Save(FrontEndGraph.Prepend(OnnxModelIO.Load(args.Model), frontEnd, FrontEndForm.Conv)));
        var latency = LatencyBenchmark.Run([("dense, Conv1d front end (before)", before), .. results.Select(r => (r.Point.Name, r.ModelPath))], args.LatencyRuns);
        Write(args, "45-quantization", Markdown(args, results, latency), trainSeconds + (watch.Elapsed.TotalSeconds - trainSeconds));
    }

    private static string Markdown(BenchArguments args, List<SweepResult> results, IReadOnlyList<LatencyResult> latency)
    {
        var dense = results[0];
        var before = latency[0].Times.Median;
        var sb = new StringBuilder();
        sb.AppendLine("## 4b. int8 weights: post-training and quantization-aware");
        sb.AppendLine();
        sb.AppendLine(F($"The sample's spec with {args.Epochs} fine-tuning epochs (schedule ending at epoch {Math.Max(1, args.Epochs / 2)}), seed 1, one run per row: **gradient 80 %** (the sample's recipe) and **channel 50 %**, each exported float, with int8 weights quantized after training (`quantize.weights: int8`), with int8 weights trained against for the last 2 epochs (`quantize.mode: aware`), and with int8 activations too (*w+a*: `quantize.activations: int8`, 200 calibration clips, minmax). Accuracy: ONNX Runtime on the exported file, voice-disjoint test split. *of dense*: bytes / the dense export's bytes (same front end). Latency: one clip of real PCM per call, 1 thread, every model below interleaved round by round ({args.LatencyRuns} rounds after 30 warm-up), front end included, each session with the configuration its file records (int8 weights alone: `session.disable_quant_qdq = 1`, docs/quantization.md); the reference row is the dense network with the front end as it shipped before this change (Conv1d DFT), i.e. the \"today's dense\" of issue 19. {MachineInfo.CpuSentence()}"));
        sb.AppendLine();
        sb.AppendLine("| model | accuracy | Δ vs float | Δ vs dense | exported bytes | embedded bytes | embedded of dense | ORT ms (IQR) | / dense before |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var t0 = latency[0].Times;
        sb.AppendLine(F($"| dense, Conv1d front end (before) | | | | | | | {t0.Median:0.000} ({t0.P25:0.000}–{t0.P75:0.000}) | 1.00× |"));
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var method = r.Point.Name.Split(' ')[0];
            var floatRow = results.FirstOrDefault(x => x.Point.Name == method + " float");
            var vsFloat = floatRow is null || ReferenceEquals(floatRow, r) ? "" : F($"{r.Accuracy - floatRow.Accuracy:+0.0000;-0.0000;0.0000}");
            var t = latency[i + 1].Times;
            sb.AppendLine(F($"| {r.Point.Name} | {r.Accuracy:0.0000} | {vsFloat} | {r.Accuracy - dense.Accuracy:+0.0000;-0.0000;0.0000} | {r.ExportedBytes:N0} | {r.EmbeddedBytes:N0} | {(double)r.EmbeddedBytes / dense.ExportedBytes:0.0%} | {t.Median:0.000} ({t.P25:0.000}–{t.P75:0.000}) | {t.Median / before:0.00}× |"));
        }

        SweepResult Row(string name) => results.Single(r => r.Point.Name == name);
        double Ratio(string name) => latency[results.FindIndex(r => r.Point.Name == name) + 1].Times.Median / before;
        var gf = Row("gradient-80 float");
        var best = results.Where(r => r.Point.Name.StartsWith("gradient-80 int8", StringComparison.Ordinal)).MaxBy(r => (r.Accuracy, -r.EmbeddedBytes))!;
        sb.AppendLine();
        sb.AppendLine("Issue 19's targets, on this run:");
        sb.AppendLine();
        sb.AppendLine(F($"- gradient 80 % + int8 ({best.Point.Name}): accuracy {best.Accuracy - gf.Accuracy:+0.0000;-0.0000} vs the float 80 % model (target ≥ −0.01: **{(best.Accuracy - gf.Accuracy >= -0.01 ? "met" : "not met")}**), {best.Accuracy - dense.Accuracy:+0.0000;-0.0000} vs dense (target ≥ −0.02: **{(best.Accuracy - dense.Accuracy >= -0.02 ? "met" : "not met")}**); embedded {(double)best.EmbeddedBytes / dense.ExportedBytes:0.0%} of the dense file (target ≤ 10 %: **{((double)best.EmbeddedBytes / dense.ExportedBytes <= 0.10 ? "met" : "not met")}**)."));
        var shipped = results.Where(r => r.Point.Name.StartsWith("gradient-80", StringComparison.Ordinal)).Min(r => Ratio(r.Point.Name));
        sb.AppendLine(F($"- whole-model latency of the sample's recipe (gradient 80 %, the fastest of its rows): {shipped:0.00}× the dense model before (target ≤ 0.5×: **{(shipped <= 0.5 ? "met" : "not met")}**)."));
        var c = Ratio("channel-50 int8 w+a");
        var cf = Ratio("channel-50 float");
        sb.AppendLine(F($"- channel 50 % + int8 weights and activations: {c:0.00}× (target ≤ 0.4×: **{(c <= 0.4 ? "met" : "not met")}**); channel 50 % float: {cf:0.00}× (int8 weights alone ship folded to float at load, `session.disable_quant_qdq`, so they run at the float model's speed — compare the gradient rows — and channel 50 % is not run with them)."));
        return sb.ToString();
    }
}
