using System.Diagnostics;
using System.Text;
using System.Text.Json;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Training throughput of the same DS-CNN (64 channels, 4 blocks, batch 64, SGD momentum 0.9, 2 threads, random
/// [64,1,49,40] input): the ONNX executor, the network hand-written in TorchSharp (alternating in this process),
/// and PyTorch (Debian's python3-torch, a child process right after).
/// </summary>
public static class TrainingSection
{
    private const int Batch = 64;
    private const int Runs = 30;
    private const int Threads = 2;
    private const string Python = "/usr/bin/python3";
    private const int OneDnnRounds = 3;
    private const int OneDnnRuns = 20;

    /// <summary>Writes fragment 50-training.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var (executor, hand) = ExecutorTrainingBenchmark.Run(Batch, warmup: 5, runs: Runs, threads: Threads);
        log.WriteLine($"executor {executor}, hand-written {hand}");
        Measurement? pytorch = null;
        string pytorchNote;
        var script = Path.Combine(args.Repository, "bench/pytorch/dscnn_train_step.py");
        if (File.Exists(Python))
        {
            var child = ChildProcess.Run(Python, [script, "--batch", "64", "--warmup", "5", "--runs", Runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "2"], args.Repository);
            var line = child.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{'));
            if (child.ExitCode == 0 && line is not null)
            {
                using var json = JsonDocument.Parse(line);
                pytorch = new Measurement("PyTorch", json.RootElement.GetProperty("ms").EnumerateArray().Select(e => e.GetDouble()).ToList());
                pytorchNote = F($"PyTorch {json.RootElement.GetProperty("torch").GetString()} (Debian python3-torch; BLAS {json.RootElement.GetProperty("blas").GetString()}, oneDNN available: {json.RootElement.GetProperty("mkldnn").GetBoolean()}), {json.RootElement.GetProperty("threads").GetInt32()} threads,");
            }
            else
            {
                pytorchNote = "PyTorch run failed: " + child.Output.Split('\n').LastOrDefault(l => l.Length > 0);
            }
        }
        else
        {
            pytorchNote = "PyTorch not measured: /usr/bin/python3 is missing (`apt-get install -y python3-torch`)";
        }

        var sb = new StringBuilder();
        sb.AppendLine("## 5. Training throughput");
        sb.AppendLine();
        sb.AppendLine(F($"One training step (forward, cross-entropy, backward, SGD momentum 0.9) of the sample's DS-CNN (64 channels, 4 blocks, 12 classes) on a fixed random batch of {Batch} × [1, 49, 40], {Threads} torch threads, {Runs} timed steps after 5 warm-up steps. The executor and the hand-written TorchSharp network (explicit `ZeroPad2d` + `Conv2d` + `BatchNorm2d` + `ReLU` layers, initialised from the same ONNX weights) alternate step by step in this process, the first of each pair alternating too; {pytorchNote}, runs the same network (bench/pytorch/dscnn_train_step.py) in a child process straight after, so its ratio is not interleaved. The PyTorch row is what `apt-get install python3-torch` gives (Debian links the BLAS named above; `generic` is the reference implementation), not necessarily the best PyTorch does on this CPU: the PyPI wheels (MKL/OpenBLAS) could not be measured here. Samples/s = batch / median step time."));
        sb.AppendLine();
        sb.AppendLine("| implementation | median step ms | IQR ms | samples/s | step time / executor |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var m in new[] { executor, hand, pytorch }.OfType<Measurement>())
        {
            sb.AppendLine(F($"| {m.Name} | {m.Median:0.0} | {m.P25:0.0}–{m.P75:0.0} | {Batch / m.Median * 1000:0} | {m.Median / executor.Median:0.000}× |"));
        }

        var ratios = new Measurement("", executor.Milliseconds.Zip(hand.Milliseconds, (a, b) => a / b).ToList());
        var ratio = executor.Median / hand.Median;
        sb.AppendLine();
        sb.AppendLine(F($"Executor / hand-written TorchSharp: **{ratio:0.000}×** (per-step ratio IQR {ratios.P25:0.000}–{ratios.P75:0.000}); target ≤ 1.15× — **{(ratio <= 1.15 ? "met" : "not met")}**."));
        sb.AppendLine();
        sb.AppendLine("### What the oneDNN guard costs");
        sb.AppendLine();
        sb.AppendLine(F($"libtorch's oneDNN convolutions compute wrong results for some channel counts (docs/native-runtime.md), so Compress switches them off. Each row is a child process per setting (the setting is per process), {OneDnnRounds} rounds alternating between the settings, each timing {OneDnnRuns} executor training steps (batch {Batch}, SGD momentum 0.9, 2 threads, after 5 warm-up steps) of the sample's DS-CNN ([1, 49, 40] input) and of a time-last TCN ([40, 98] input, Conv1d 40 → 48, dilated residual blocks), then running the ten-case convolution self-test (forward and backward against float64). Step times pooled over the rounds. CPU: {Runtime.CpuInfo.Current.Model} ({(Runtime.CpuInfo.Current.HasAvx512 ? "with" : "without")} AVX-512)."));
        sb.AppendLine();
        var benchDll = typeof(TrainingSection).Assembly.Location;
        sb.Append(OneDnnCostBenchmark.Measure(benchDll, args.Repository, OneDnnRounds, OneDnnRuns, log));
        Write(args, "50-training", sb.ToString(), watch.Elapsed.TotalSeconds);
    }
}
