using Compress.Pruning;
using System.Diagnostics;
using System.Text;
using static Compress.Bench.AccuracySweep;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Issue 21 at §1's budget: <c>finetune.lr_schedule: cosine-after-pruning</c> against the spec's <c>cosine</c> for
/// magnitude, gradient, l1 and l2 at the <c>regularization</c> targets and channel pruning at 50%, several seeds, each seed's two runs sharing data
/// order and augmentation so the paired difference is the schedule's. The <c>cosine</c> runs are the <c>models</c>
/// sweep's points (same command), so <c>--resume true</c> with §1b's results folder reuses them.
/// </summary>
public static class LrScheduleSection
{
    private static readonly string[] Methods = ["magnitude", "gradient", "l1", "l2"];

    /// <summary>Structured pruning's point (its own target: a channel fraction, not a weight sparsity).</summary>
    private const double ChannelTarget = 0.5;

    private const string Schedule = "cosine-after-pruning";

    /// <summary>Trains every (method, target, seed) with both schedules, writes fragment 16-lr-schedule.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var targets = args.RegularizationTargets;
        var plain = AccuracySweep.Points(args)
            .Where(p => (targets.Contains(p.Target) && Methods.Contains(p.Method)) || (p.Method == "channel" && Math.Abs(p.Target - ChannelTarget) < 1e-9))
            .ToList();
        var points = plain.Concat(plain.Select(p => AccuracySweep.Variant(p, Schedule, "finetune.lr_schedule=" + Schedule))).ToList();
        var results = AccuracySweep.RunSeeds(args, points, log);

        Write(args, "16-lr-schedule", Markdown(args, targets, results), watch.Elapsed.TotalSeconds);
    }

    private static string Markdown(BenchArguments args, IReadOnlyList<double> targets, List<SweepResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("### 1c. The learning-rate schedule under the ramp: `cosine` against `cosine-after-pruning`, paired by seed");
        sb.AppendLine();
        sb.AppendLine(F($"Section 1's budget ({args.Epochs} fine-tuning epochs, target reached at epoch {Math.Max(1, args.Epochs - 1)}, `*.dw.weight` excluded from the unstructured methods, `channel` removing half the channels of every prunable group, the sample spec's Adam at 2e-3 and distillation, `l1`/`l2` with `pruning.lambda={PruningOptions.DefaultRegularizationLambda}` in their commands), **{args.Repetitions} seeds** per point. *cosine* is the sample spec's schedule (these runs are §1b's); *after* adds `--set finetune.lr_schedule=cosine-after-pruning`: the base rate until the ramp reaches the target, then cosine to 0 over the steps left (docs/pruning.md, \"The ramp and the learning rate together\"). A seed fixes data order and augmentation, so a seed's two runs differ only by the schedule. Accuracy: ONNX Runtime on the exported file, voice-disjoint test split (baseline as given: {results[0].BaselineAccuracy:0.0000}). {MachineInfo.CpuSentence()}"));
        sb.AppendLine();
        sb.AppendLine("| target | method | cosine per seed | after per seed | Δ after − cosine (median, min–max) | seeds improved | after: Δ vs magnitude-after (median) |");
        sb.AppendLine("|---:|---|---|---|---:|---:|---:|");
        var (unstructured, structured, verdicts) = (new List<double>(), new List<double>(), new List<string>());
        foreach (var (target, method) in targets.SelectMany(t => Methods.Select(m => (t, m))).Append((ChannelTarget, "channel")))
        {
            var magnitudeAfter = AccuracySweep.BySeed(results, "magnitude+" + Schedule, target);
            var cosine = AccuracySweep.BySeed(results, method, target);
            var after = AccuracySweep.BySeed(results, method + "+" + Schedule, target);
            var deltas = AccuracySweep.PairedDeltas(after, cosine);
            var vs = AccuracySweep.PairedDeltas(after, magnitudeAfter);
            var vsMagnitude = method is "magnitude" or "channel" ? "" : Signed(Median(vs));
            sb.AppendLine(F($"| {target:0.00} | {method} | {Accuracies(cosine.Values)} | {Accuracies(after.Values)} | {Signed(Median(deltas))} ({Signed(deltas.Min())}–{Signed(deltas.Max())}) | {deltas.Count(d => d > 0)}/{deltas.Count} | {vsMagnitude} |"));
            (method == "channel" ? structured : unstructured).AddRange(deltas);
            if (method is "l1" or "l2")
            {
                verdicts.Add(F($"{method} at {target * 100:0} %: median {Signed(Median(vs))} (**{(Median(vs) >= 0 ? "met" : "not met")}** on the median; {vs.Count(d => d >= 0)} of {vs.Count} seeds at or above magnitude)"));
            }
        }

        sb.AppendLine();
        sb.AppendLine(F($"`cosine-after-pruning` against `cosine`: the unstructured methods gained on {unstructured.Count(d => d > 0)} of {unstructured.Count} paired runs and lost on {unstructured.Count(d => d < 0)} (median {Signed(Median(unstructured))}); channel pruning, whose target is a channel fraction, gained on {structured.Count(d => d > 0)} of {structured.Count} and lost on {structured.Count(d => d < 0)} (median {Signed(Median(structured))}). Issue 21's \"l1 and l2 ≥ magnitude\" with both on `cosine-after-pruning`: {string.Join("; ", verdicts)}."));

        return sb.ToString();
    }
}
