using Compress.Diagnostics;

namespace Compress.Evaluation;

/// <summary>Whether a larger value of a metric is better (accuracy) or worse (false-reject rate).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}

/// <summary>
/// The accuracy gate. Every threshold that is set must hold; all failures are reported. Drops are measured in the
/// metric's bad direction: for a higher-is-better metric drop = baseline − value, for a lower-is-better one
/// drop = value − baseline; the relative drop is drop / |baseline| (0 when the baseline is 0 and nothing dropped).
/// </summary>
/// <param name="Metric">The metric's name as written in the spec (e.g. <c>accuracy</c>).</param>
/// <param name="Min">Absolute floor (higher-is-better metrics).</param>
/// <param name="Max">Absolute ceiling (lower-is-better metrics).</param>
/// <param name="MaxDrop">Largest allowed drop in absolute metric units (e.g. 0.01 = one point of accuracy).</param>
/// <param name="MaxRelativeDrop">Largest allowed drop as a fraction of the baseline.</param>
public sealed record Gate(string Metric, MetricDirection Direction, double? Min = null, double? Max = null, double? MaxDrop = null, double? MaxRelativeDrop = null)
{
    /// <summary>The direction of a built-in metric name.</summary>
    public static MetricDirection DirectionOf(string metric) =>
        metric.StartsWith("frr", StringComparison.Ordinal) || metric.EndsWith("_error", StringComparison.Ordinal)
            ? MetricDirection.LowerIsBetter
            : MetricDirection.HigherIsBetter;

    /// <summary>Checks <paramref name="value"/> against the thresholds; the diagnostics point at <paramref name="location"/>.</summary>
    /// <param name="sparsity">The compressed model's sparsity (fraction), quoted in the messages.</param>
    public GateOutcome Evaluate(double value, double baseline, double sparsity, GateLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var failures = new List<Diagnostic>();
        if (Min is double min && value < min)
        {
            failures.Add(GateMessages.BelowMin(location, Metric, value, min, baseline, sparsity));
        }

        if (Max is double max && value > max)
        {
            failures.Add(GateMessages.AboveMax(location, Metric, value, max, baseline, sparsity));
        }

        var drop = Direction == MetricDirection.HigherIsBetter ? baseline - value : value - baseline;
        if (MaxDrop is double maxDrop && drop > maxDrop + 1e-12)
        {
            failures.Add(GateMessages.DropTooLarge(location, Metric, value, drop, maxDrop, baseline, sparsity));
        }

        var relative = baseline == 0 ? (drop > 0 ? double.PositiveInfinity : 0) : drop / Math.Abs(baseline);
        if (MaxRelativeDrop is double maxRelative && relative > maxRelative + 1e-12)
        {
            failures.Add(GateMessages.RelativeDropTooLarge(location, Metric, value, relative, maxRelative, baseline, sparsity));
        }

        return new GateOutcome(failures.Count == 0, Metric, value, baseline, drop, relative, sparsity, failures);
    }
}

/// <summary>The gate's verdict with the numbers behind it.</summary>
public sealed record GateOutcome(bool Passed, string Metric, double Value, double Baseline, double Drop, double RelativeDrop, double Sparsity, IReadOnlyList<Diagnostic> Failures);
