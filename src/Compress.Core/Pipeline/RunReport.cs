using Compress.Evaluation;
using Compress.Export;
using Compress.Pruning;
using Compress.Reporting;

namespace Compress.Pipeline;

/// <summary>Assembles report.json's record of a run from what the stages returned.</summary>
internal static class RunReport
{
    public static CompressionReport Build(
        string toolVersion, PlannedRun run, PreparedData data, Baseline baseline, AttemptSearch search, long embeddedBytes,
        IReadOnlyList<StageTiming> timings, IReadOnlyList<Compress.Diagnostics.Diagnostic> warnings)
    {
        var plan = run.Plan;
        var chosen = search.Chosen;
        var g = plan.Gate;
        var prunable = PrunableWeights.Find(run.Model, plan.Pruning);
        var sources = prunable.ToDictionary(t => t.Name, t => t.Sources, StringComparer.Ordinal);
        return new CompressionReport
        {
            ToolVersion = toolVersion,
            Inputs =
            [
                new("spec", plan.SpecFile, RunManifest.HashFile(plan.SpecFile)),
                new("model", plan.ModelPath, run.ModelSha256),
                new("data", plan.Dataset.Root, data.Fingerprint.Sha256),
            ],
            Timings = timings,
            Device = run.Device.Name,
            Method = plan.Pruning.Method.ToString().ToLowerInvariant(),
            Head = new HeadRecord(run.Head.Output, Spec.SpecNames.Of(run.Head.Kind), run.Head.TrainingValue, run.Head.LossName, run.Head.Node),
            Layers = [.. chosen.Result.Layers.Select(l => sources.TryGetValue(l.Name, out var s) ? l with { Sources = s } : l)],
            Protected = [.. prunable.Where(t => t.Status == PrunableStatus.Protected).Select(t => new ProtectedRecord(t.DisplayName, t.Elements, t.StatusReason))],
            TotalSparsity = chosen.Result.TotalSparsity,
            Baseline = Record(baseline.Measurement, g.Metric, baseline.Value),
            Compressed = Record(chosen.Measurement, g.Metric, chosen.Value),
            Gate = new GateRecord(g.Metric.Name, g.Min, g.Max, g.MaxDrop, g.MaxRelativeDrop, chosen.Value, baseline.Value, chosen.Gate.Passed,
                chosen.Gate.Failures.Select(f => f.Message).ToList()),
            Sizes = new SizeRecord(baseline.DenseBytes, chosen.Bytes.Length, embeddedBytes, StorageName(plan.Storage), plan.Compression.ToString().ToLowerInvariant(), plan.Filter.ToString().ToLowerInvariant()),
            Schedule = chosen.Result.History,
            Trials = search.Trials,
            Sensitivity = chosen.Result.Trials,
            Warnings = [.. warnings.Select(w => w.ToString())],
        };
    }

    private static MetricsRecord Record(OrtMeasurement m, GateMetric metric, double value) => new(
        m.Metrics.Count,
        m.Metrics.Accuracy,
        m.Metrics.MacroF1,
        m.Metrics.PerClass.Select(c => new ClassRecord(c.Label, c.Support, c.Precision, c.Recall, c.F1)).ToList(),
        m.Metrics.Confusion,
        metric is FalseRejectRateMetric ? value : null,
        LatencyMsPerClip: Math.Round(m.MedianLatencyMs, 4));

    private static string StorageName(StorageMode mode) => mode switch
    {
        StorageMode.Sparse => "sparse",
        StorageMode.SparseInt64 => "sparse-int64",
        StorageMode.Dense => "dense",
    };
}
