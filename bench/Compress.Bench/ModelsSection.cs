using System.Diagnostics;
using System.Text;
using Compress.Architectures;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// The sections that need trained models, run together so every ratio compares models of one run: accuracy vs
/// sparsity (+ plot), sizes, ONNX Runtime latency, and the 90 %-sparse models against a small dense DS-CNN.
/// </summary>
public static class ModelsSection
{
    /// <summary>Trains every point, then writes fragments 10-accuracy, 20-sizes, 30-latency, 40-small-dense.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var results = new List<SweepResult>();
        var failures = new List<string>();
        foreach (var point in AccuracySweep.Points(args))
        {
            for (var rep = 0; rep < args.Repetitions; rep++)
            {
                Train(args, log, point, 1 + rep, results, failures);
            }
        }

        var trainSeconds = watch.Elapsed.TotalSeconds;
        var dense = results.Where(r => r.Point.Name == "dense").ToList();
        if (dense.Count == 0)
        {
            throw new InvalidOperationException("the dense reference run failed; nothing to compare against:\n" + string.Join('\n', failures));
        }

        var svgFolder = Path.Combine(Path.GetDirectoryName(args.Document)!, "benchmarks");
        Directory.CreateDirectory(svgFolder);
        Write(args, "10-accuracy", AccuracyMarkdown(args, results, dense, failures, svgFolder), trainSeconds);
        Write(args, "20-sizes", SizesMarkdown(results, dense), 0);

        var latencyWatch = Stopwatch.StartNew();
        var firstSeed = results.Where(r => r.Seed == 1).ToList();
        var models = firstSeed.Select(r => (r.Point.Name, r.ModelPath)).ToList();
        log.WriteLine($"latency: {models.Count} models x {args.LatencyRuns} runs");
        var latency = LatencyBenchmark.Run(models, args.LatencyRuns);
        Write(args, "30-latency", LatencyMarkdown(args, latency), latencyWatch.Elapsed.TotalSeconds);

        var smallWatch = Stopwatch.StartNew();
        Write(args, "40-small-dense", SmallDenseMarkdown(args, log, results, dense), smallWatch.Elapsed.TotalSeconds);
    }

    private static void Train(BenchArguments args, TextWriter log, SweepPoint point, int seed, List<SweepResult> results, List<string> failures)
    {
        var start = Stopwatch.StartNew();
        try
        {
            var r = AccuracySweep.Run(args, point, seed);
            results.Add(r);
            log.WriteLine(F($"{point.Name} seed {seed}: accuracy {r.Accuracy:0.0000} sparsity {r.Sparsity:0.000} ({start.Elapsed.TotalSeconds:0} s)"));
        }
        catch (InvalidOperationException e)
        {
            failures.Add(F($"{point.Name} (seed {seed}): {FirstError(e.Message)}"));
            log.WriteLine(e.Message);
        }
    }

    private static string FirstError(string message)
    {
        var line = message.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) && l.Contains("CMP", StringComparison.Ordinal));
        return (line ?? message.Split('\n')[0]).Trim();
    }

    private static double Median(IEnumerable<double> values) => new Measurement("", values.ToList()).Median;

    private static string Spread(IReadOnlyList<double> values) =>
        values.Count < 2 ? "" : F($" ({values.Min():0.000}–{values.Max():0.000})");

    private static string AccuracyMarkdown(BenchArguments args, List<SweepResult> results, List<SweepResult> dense, List<string> failures, string svgFolder)
    {
        var denseAccuracy = Median(dense.Select(d => d.Accuracy));
        var denseNonZero = dense[0].NonZeroWeights;
        var sb = new StringBuilder();
        sb.AppendLine("## 1. Accuracy vs sparsity");
        sb.AppendLine();
        sb.AppendLine(F($"Every point starts from the sample's dense baseline (`{Path.GetFileName(args.Model)}`, test accuracy {dense[0].BaselineAccuracy:0.0000} as given) and gets the same budget: **{args.Epochs} fine-tuning epochs** (polynomial schedule reaching the target at epoch {Math.Max(1, args.Epochs - 1)}, masks every 25 steps), the sample spec's data, augmentation, optimizer and seed; `l1`/`l2` add their λ-penalty until the schedule reaches the target{(args.RegularizationEpochs > 0 ? F($", after {args.RegularizationEpochs} penalty-only epoch(s) out of the same budget") : ", on magnitude's schedule")}. Unstructured methods exclude the depthwise weights (`*.dw.weight`, see docs/pruning.md); `channel` removes that fraction of the channels of every prunable group. **dense** is the baseline fine-tuned the same {args.Epochs} epochs without pruning: the reference of every ratio. Accuracy is measured by ONNX Runtime on the exported file over the voice-disjoint test split; {args.Repetitions} repetition(s) per point (seed 1{(args.Repetitions > 1 ? F($"–{args.Repetitions}") : "")}), median shown{(args.Repetitions > 1 ? " with min–max" : "")}. *Weights removed* = 1 − non-zero weights / non-zero weights of dense (all weight tensors, pruned or not)."));
        sb.AppendLine();
        sb.AppendLine("| point | method | target | sparsity of prunable weights | weights removed | accuracy | Δ vs dense | macro-F1 | train s |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach (var group in results.GroupBy(r => r.Point.Name))
        {
            var g = group.ToList();
            var acc = g.Select(r => r.Accuracy).ToList();
            var removed = 1 - ((double)g[0].NonZeroWeights / denseNonZero);
            sb.AppendLine(F($"| {group.Key} | {g[0].Point.Method} | {g[0].Point.Target:0.00} | {Median(g.Select(r => r.Sparsity)):0.000} | {removed:0.000} | {Median(acc):0.0000}{Spread(acc)} | {Median(acc) - denseAccuracy:+0.0000;-0.0000;0.0000} | {Median(g.Select(r => r.MacroF1)):0.0000} | {Median(g.Select(r => r.TrainSeconds)):0} |"));
        }

        foreach (var method in results.Where(r => r.Point.Method != "none").Select(r => r.Point.Method).Distinct())
        {
            var points = results.Where(r => r.Point.Method == method).GroupBy(r => r.Point.Name)
                .Select(g => (1 - ((double)g.First().NonZeroWeights / denseNonZero), Median(g.Select(r => r.Accuracy)))).ToList();
            series.Add((method, points));
        }

        foreach (var f in failures)
        {
            sb.AppendLine(F($"| {f.Split(' ')[0]} | failed | | | | | | | |"));
        }

        File.WriteAllText(Path.Combine(svgFolder, "accuracy-vs-sparsity.svg"), AccuracyPlot.Render("DS-CNN keyword spotter: accuracy vs weights removed", series, denseAccuracy, "fraction of weights removed (vs dense non-zeros)"));
        sb.AppendLine();
        sb.AppendLine("![accuracy vs sparsity](benchmarks/accuracy-vs-sparsity.svg)");
        if (failures.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Failed runs (first error line):");
            sb.AppendLine();
            foreach (var f in failures)
            {
                sb.AppendLine("- " + f);
            }
        }

        return sb.ToString();
    }

    private static string SizesMarkdown(List<SweepResult> results, List<SweepResult> dense)
    {
        var d = dense[0];
        var sb = new StringBuilder();
        sb.AppendLine("## 2. File sizes");
        sb.AppendLine();
        sb.AppendLine("From each run's report.json. *input* is the input model as it would ship dense (front-end prepended, dense storage, no compression; the report's `dense_onnx_bytes`); *exported* the ONNX file the run writes (sample spec: `storage: sparse`, front-end prepended so the app feeds PCM); *embedded* what the build embeds (`compress: brotli` over the default `filter: shuffle`, see docs/embedded-format.md). The last column compares embedded bytes with the **dense** point's embedded bytes (same storage and compression, no pruning), which isolates what pruning saves.");
        sb.AppendLine();
        sb.AppendLine("| point | input bytes | exported bytes | exported / input | embedded bytes | embedded / input | embedded / dense embedded |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results.Where(r => r.Seed == 1))
        {
            sb.AppendLine(F($"| {r.Point.Name} | {r.DenseBytes} | {r.ExportedBytes} | {(double)r.ExportedBytes / r.DenseBytes:0.000}× | {r.EmbeddedBytes} | {(double)r.EmbeddedBytes / r.DenseBytes:0.000}× | {(double)r.EmbeddedBytes / d.EmbeddedBytes:0.000}× |"));
        }

        if (results.FirstOrDefault(r => r.Seed == 1 && r.Point.Name == "magnitude-80") is { } m80)
        {
            var ratio = (double)m80.EmbeddedBytes / m80.DenseBytes;
            sb.AppendLine();
            sb.AppendLine(F($"Target: at 80% unstructured sparsity the embedded bytes ≤ 25% of the dense file — measured **{ratio:0.0%}** (`magnitude-80`): **{(ratio <= 0.25 ? "met" : "not met")}**."));
        }

        return sb.ToString();
    }

    private static string LatencyMarkdown(BenchArguments args, IReadOnlyList<LatencyResult> latency)
    {
        var reference = latency[0];
        var sb = new StringBuilder();
        sb.AppendLine("## 3. ONNX Runtime latency");
        sb.AppendLine();
        sb.AppendLine(F($"One process, one `InferenceSession` per exported model (the file the run wrote, decoded as the app's accessor does), `IntraOpNumThreads = 1`, sequential, all graph optimisations; one clip of 1 s PCM (seeded noise) per call, front-end included. {args.LatencyRuns} timed calls per model after 30 warm-up rounds; the models are interleaved round by round (rotating order) so machine load hits them alike. Ratio = median / median of **dense**; its spread is the IQR of the per-round ratios."));
        sb.AppendLine();
        LatencyBenchmark.AppendTable(sb, latency);

        var channel50 = latency.FirstOrDefault(l => l.Name == "channel-50");
        sb.AppendLine();
        if (channel50 is null)
        {
            sb.AppendLine("Target: structured (channel) 50 % ≤ 0.6× dense latency — **not measured** (the channel-50 run failed).");
        }
        else
        {
            var ratio = channel50.Times.Median / reference.Times.Median;
            sb.AppendLine(F($"Target: structured (channel) 50 % ≤ 0.6× dense latency — measured **{ratio:0.000}×**: **{(ratio <= 0.6 ? "met" : "not met")}**. Unstructured sparsity is stored sparse in the file but ONNX Runtime densifies the initializers at load, so those models are not expected to run faster."));
        }

        return sb.ToString();
    }

    private static string SmallDenseMarkdown(BenchArguments args, TextWriter log, List<SweepResult> results, List<SweepResult> dense)
    {
        var sparse90 = results.Where(r => r.Seed == 1 && Math.Abs(r.Point.Target - 0.9) < 1e-9 && r.Point.Method != "channel").ToList();
        var sb = new StringBuilder();
        sb.AppendLine("## 4. Large-sparse vs small-dense");
        sb.AppendLine();
        var magnitude = sparse90.FirstOrDefault(r => r.Point.Method == "magnitude") ?? sparse90.FirstOrDefault();
        if (magnitude is null)
        {
            sb.AppendLine("Not measured: no 90 %-sparse run succeeded.");
            return sb.ToString();
        }

        var channels = args.SmallChannels > 0 ? args.SmallChannels : ChannelsFor(magnitude.NonZeroWeights);
        var folder = Path.Combine(args.Results, "runs");
        Directory.CreateDirectory(folder);
        var random = Path.Combine(folder, F($"ds-cnn-{channels}-random.onnx"));
        ChildProcess.RunChecked(args.Tool, ["new-model", "ds-cnn", "--classes", "12", "--frames", "49", "--bins", "40", "--channels", channels.ToString(System.Globalization.CultureInfo.InvariantCulture), "--blocks", "4", "--seed", "1", "-o", random], folder);
        // The baseline's recipe (model/train-baseline.yaml, read here), not the sample spec's fine-tuning: that one distils
        // from the model it starts from, which here is random, so 90 % of the loss would teach the small model noise (it
        // did: chance accuracy, 0.0824, in the runs of 2026-12-02).
        var baselineSpec = Path.Combine(args.Repository, "samples/AppWithModel/model/train-baseline.yaml");
        var baseline = Spec.SpecParser.Parse(baselineSpec).Spec ?? throw new InvalidOperationException($"cannot read {baselineSpec}");
        var recipe = baseline.Finetune;
        var warmup = args.SmallEpochs > 1 ? recipe.WarmupEpochs : 0;
        var point = new SweepPoint(F($"small-dense-{channels}"), "none", 0,
            ["pruning=", "finetune.distillation=", F($"finetune.epochs={args.SmallEpochs}"), "finetune.optimizer=" + Spec.SpecNames.Of(recipe.Optimizer), F($"finetune.learning_rate={recipe.LearningRate}"), F($"finetune.weight_decay={recipe.WeightDecay}"), F($"finetune.warmup_epochs={warmup}"), F($"finetune.label_smoothing={recipe.LabelSmoothing}")], random);
        SweepResult small;
        try
        {
            small = AccuracySweep.Run(args, point, 1);
        }
        catch (InvalidOperationException e)
        {
            log.WriteLine(e.Message);
            sb.AppendLine("Not measured: the small dense run failed: " + FirstError(e.Message));
            return sb.ToString();
        }

        log.WriteLine(F($"{point.Name}: accuracy {small.Accuracy:0.0000}"));
        var latency = LatencyBenchmark.Run([(dense[0].Point.Name, dense[0].ModelPath), (magnitude.Point.Name, magnitude.ModelPath), (small.Point.Name, small.ModelPath)], args.LatencyRuns);
        sb.AppendLine(F($"The 90 %-sparse 64-channel models against a dense DS-CNN of the same depth with **{channels} channels**, the width whose weight count is closest to the non-zero weights of `{magnitude.Point.Name}` ({magnitude.NonZeroWeights} vs {small.NonZeroWeights}). Same data, augmentation, front-end and test split. Budget: the sparse models had the 64-channel baseline's training plus {args.Epochs} epochs; the small model is trained from random weights for **{args.SmallEpochs} epochs** (the baseline's recipe, model/train-baseline.yaml: {Spec.SpecNames.Of(recipe.Optimizer)}, lr {recipe.LearningRate}, weight decay {recipe.WeightDecay}, {warmup} warm-up epoch(s), label smoothing {recipe.LabelSmoothing}, no distillation) on one augmented copy of the training data, where the committed baseline had {recipe.Epochs} epochs on {baseline.Data.Augmentation?.Copies ?? 1}{(args.SmallEpochs < recipe.Epochs ? ": fewer epochs, because of this run's time budget" : "")}, so its accuracy is a lower bound. Latency as in section 3, re-measured together (ratio to dense)."));
        sb.AppendLine();
        sb.AppendLine("| model | non-zero weights | accuracy | exported bytes | embedded bytes | latency median ms | latency / dense |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        var lat = latency.ToDictionary(l => l.Name);
        foreach (var r in sparse90.Prepend(dense[0]).Append(small))
        {
            var l = lat.TryGetValue(r.Point.Name, out var x) ? F($"{x.Times.Median:0.000} | {x.Times.Median / latency[0].Times.Median:0.000}×") : " | ";
            sb.AppendLine(F($"| {r.Point.Name} | {r.NonZeroWeights} | {r.Accuracy:0.0000} | {r.ExportedBytes} | {r.EmbeddedBytes} | {l} |"));
        }

        var gap = magnitude.Accuracy - small.Accuracy;
        sb.AppendLine();
        var best = sparse90.MaxBy(r => r.Accuracy)!;
        var bestGap = best.Accuracy - small.Accuracy;
        sb.AppendLine(F($"`{magnitude.Point.Name}` − `{point.Name}` accuracy: **{gap:+0.0000;-0.0000;0.0000}** ({(gap > 0 ? "the large sparse model is more accurate" : "the small dense model is at least as accurate")} at about the same non-zero count); the best 90 %-sparse model, `{best.Point.Name}`, − `{point.Name}`: **{bestGap:+0.0000;-0.0000;0.0000}**. Seed 1 only."));
        return sb.ToString();
    }

    /// <summary>The DS-CNN width (4 blocks, 12 classes) whose weight-tensor element count is closest to <paramref name="nonZero"/>.</summary>
    private static int ChannelsFor(long nonZero)
    {
        long Weights(int c) => new DsCnn(Classes: 12, Channels: c).Build().Graph.Initializer
            .Where(t => t.Name.EndsWith("weight", StringComparison.Ordinal))
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        return Enumerable.Range(4, 61).MinBy(c => Math.Abs(Weights(c) - nonZero));
    }
}
