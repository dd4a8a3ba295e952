using System.Globalization;

namespace Compress.Evaluation;

/// <summary>
/// A candidate model's metric minus the baseline's, both measured on the same items, with a 95% interval for it. The
/// metrics it applies to are sums over items divided by a fixed total (accuracy: correct clips / clips; WER: word
/// errors / reference words), so the difference is Σ dᵢ / total with dᵢ the candidate's contribution of item i minus
/// the baseline's. Pairing is what makes a small difference measurable: the items both models get right (or wrong)
/// add no noise, only the items where they disagree do. The interval is the normal one, Σ dᵢ / total ± 1.96 ·
/// √(n · s²) / total with s² the sample variance of the dᵢ (for accuracy the paired Wald interval behind McNemar's
/// test). It says how well the test split resolves a difference, not how much a retrained model would vary (the
/// training seed moves it too).
/// </summary>
/// <param name="Items">Clips or utterances measured by both models.</param>
/// <param name="Better">Items on which the candidate did better (in the metric's direction).</param>
/// <param name="Worse">Items on which it did worse.</param>
/// <param name="Difference">Candidate metric minus baseline metric (positive: the candidate's value is higher).</param>
/// <param name="StandardError">The standard error of <paramref name="Difference"/>.</param>
public sealed record PairedDifference(int Items, int Better, int Worse, double Difference, double StandardError)
{
    /// <summary>The two-sided 95% normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Lower end of the 95% interval of <see cref="Difference"/>.</summary>
    public double Low => Difference - (Z95 * StandardError);

    /// <summary>Upper end of the 95% interval of <see cref="Difference"/>.</summary>
    public double High => Difference + (Z95 * StandardError);

    /// <summary>
    /// The paired difference of per-item contributions (<paramref name="candidate"/>[i] − <paramref name="baseline"/>[i],
    /// summed and divided by <paramref name="total"/>); <paramref name="direction"/> says which sign is better.
    /// </summary>
    public static PairedDifference Of(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, double total, MetricDirection direction)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (baseline.Count != candidate.Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{baseline.Count} baseline items but {candidate.Count} candidate items"), nameof(candidate));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        var n = baseline.Count;
        var (sum, better, worse) = (0.0, 0, 0);
        for (var i = 0; i < n; i++)
        {
            var d = candidate[i] - baseline[i];
            sum += d;
            better += (direction == MetricDirection.HigherIsBetter ? d > 0 : d < 0) ? 1 : 0;
            worse += (direction == MetricDirection.HigherIsBetter ? d < 0 : d > 0) ? 1 : 0;
        }

        var variance = 0.0;
        if (n > 1)
        {
            var mean = sum / n;
            for (var i = 0; i < n; i++)
            {
                var deviation = candidate[i] - baseline[i] - mean;
                variance += deviation * deviation;
            }

            variance /= n - 1;
        }

        return new PairedDifference(n, better, worse, sum / total, Math.Sqrt(n * variance) / total);
    }
}
