using Compress.Diagnostics;

namespace Compress.Evaluation;

/// <summary>
/// The accuracy gate. Every threshold that is set must hold; all failures are reported. Drops are measured in the
/// metric's bad direction: for a higher-is-better metric drop = baseline − value, for a lower-is-better one
/// drop = value − baseline; the relative drop is drop / |baseline| (0 when the baseline is 0 and nothing dropped).
/// </summary>
/// <param name="Metric">The metric checked; it knows its name and which way is better.</param>
/// <param name="Min">Absolute floor (higher-is-better metrics).</param>
/// <param name="Max">Absolute ceiling (lower-is-better metrics).</param>
/// <param name="MaxDrop">Largest allowed drop in absolute metric units (e.g. 0.01 = one point of accuracy).</param>
/// <param name="MaxRelativeDrop">Largest allowed drop as a fraction of the baseline.</param>
public sealed record Gate(GateMetric Metric, double? Min = null, double? Max = null, double? MaxDrop = null, double? MaxRelativeDrop = null)
{
    /// <summary>Checks <paramref name="value"/> against the thresholds; the diagnostics point at <paramref name="location"/>.</summary>
    /// <param name="sparsity">The compressed model's sparsity (fraction), quoted in the messages.</param>
    public GateOutcome Evaluate(double value, double baseline, double sparsity, GateLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var name = Metric.Name;
        var failures = new List<Diagnostic>();
        if (Min is double min && value < min)
        {
            failures.Add(GateMessages.BelowMin(location, name, value, min, baseline, sparsity));
        }

        if (Max is double max && value > max)
        {
            failures.Add(GateMessages.AboveMax(location, name, value, max, baseline, sparsity));
        }

        var drop = Metric.Direction == MetricDirection.HigherIsBetter ? baseline - value : value - baseline;
        if (MaxDrop is double maxDrop && drop > maxDrop + 1e-12)
        {
            failures.Add(GateMessages.DropTooLarge(location, name, value, drop, maxDrop, baseline, sparsity, Metric.Direction == MetricDirection.HigherIsBetter ? "max_drop" : "max_increase"));
        }

        var relative = baseline == 0 ? (drop > 0 ? double.PositiveInfinity : 0) : drop / Math.Abs(baseline);
        if (MaxRelativeDrop is double maxRelative && relative > maxRelative + 1e-12)
        {
            failures.Add(GateMessages.RelativeDropTooLarge(location, name, value, relative, maxRelative, baseline, sparsity));
        }

        return new GateOutcome(failures.Count == 0, name, value, baseline, drop, relative, sparsity, failures);
    }
}

/// <summary>The gate's verdict with the numbers behind it.</summary>
public sealed record GateOutcome(bool Passed, string Metric, double Value, double Baseline, double Drop, double RelativeDrop, double Sparsity, IReadOnlyList<Diagnostic> Failures);
