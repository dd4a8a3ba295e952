using Compress.Evaluation;

namespace Compress.Spec;

/// <summary>
/// <c>gate:</c> the accuracy gate, measured by ONNX Runtime on the exported bytes over the test split. Every
/// threshold that is set must hold; at least one is set. Diagnostics of a failed gate point at
/// <see cref="Location"/> (the <c>gate:</c> key).
/// </summary>
public sealed record GateSpec
{
    /// <summary>The metric. Default <see cref="GateMetricKind.Accuracy"/>.</summary>
    public GateMetricKind Metric { get; init; } = GateMetricKind.Accuracy;

    /// <summary>Absolute floor in [0, 1] (higher-is-better metrics only).</summary>
    public double? Min { get; init; }

    /// <summary>Absolute ceiling in [0, 1] (lower-is-better metrics only, i.e. <c>frr_at_fa_per_hour</c>).</summary>
    public double? Max { get; init; }

    /// <summary>
    /// Largest drop below the dense baseline in metric units, in [0, 1] (0.01 = one point): for a lower-is-better
    /// metric, the largest increase (written <c>max_increase</c>, or <c>max_drop</c> as before).
    /// </summary>
    public double? MaxDrop { get; init; }

    /// <summary>Largest drop as a fraction of the baseline, in [0, 1].</summary>
    public double? MaxRelativeDrop { get; init; }

    /// <summary>False accepts per hour of non-keyword audio at which the FRR is read (<c>frr_at_fa_per_hour</c>: required), &gt; 0.</summary>
    public double? FaPerHour { get; init; }

    /// <summary>Where the <c>gate:</c> key is written; gate failures are reported here.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;

    /// <summary>The evaluator's gate with these thresholds.</summary>
    /// <param name="clipSeconds">Seconds per clip (<c>features.clip_seconds</c>), which <c>frr_at_fa_per_hour</c> turns into hours of audio.</param>
    /// <param name="wakeWord">The label <c>frr_at_fa_per_hour</c> detects (<c>wake_word.label</c>), or null for its default rule.</param>
    public Gate ToGate(double clipSeconds, string? wakeWord = null) => new(ToMetric(Metric, FaPerHour ?? 1.0, clipSeconds, wakeWord), Min, Max, MaxDrop, MaxRelativeDrop);

    /// <summary>
    /// The evaluator's metric for a spec metric: the one place the spec's names meet the metrics' behaviour
    /// (a test checks that every metric's <see cref="Evaluation.GateMetric.Name"/> is its spec name).
    /// </summary>
    public static Evaluation.GateMetric ToMetric(GateMetricKind metric, double faPerHour, double clipSeconds, string? wakeWord = null) => metric switch
    {
        GateMetricKind.Accuracy => Evaluation.GateMetric.Accuracy,
        GateMetricKind.MacroF1 => Evaluation.GateMetric.MacroF1,
        GateMetricKind.FrrAtFaPerHour => Evaluation.GateMetric.FrrAtFaPerHour(faPerHour, clipSeconds, wakeWord),
        GateMetricKind.Wer => Evaluation.GateMetric.Wer,
        GateMetricKind.Cer => Evaluation.GateMetric.Cer,
    };
}
