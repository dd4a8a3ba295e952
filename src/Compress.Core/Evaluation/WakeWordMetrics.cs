namespace Compress.Evaluation;

/// <summary>
/// The wake-word operating point: the lowest false-reject rate whose false accepts per hour of negative audio do
/// not exceed a target. A clip is accepted when its keyword score is ≥ <see cref="Threshold"/>.
/// </summary>
/// <param name="FalseRejectRate">Fraction of positive clips scored below the threshold.</param>
/// <param name="FalseAcceptsPerHour">False accepts divided by the hours of negative audio.</param>
/// <param name="Threshold">The score threshold that achieves it.</param>
public sealed record WakeWordOperatingPoint(double FalseRejectRate, double FalseAcceptsPerHour, float Threshold, int FalseAccepts, int FalseRejects)
{
    /// <summary>
    /// Chooses the threshold. <paramref name="negativeHours"/> is the total duration of the negative clips in
    /// hours; at most floor(<paramref name="targetFaPerHour"/> × hours) negatives may be accepted.
    /// </summary>
    public static WakeWordOperatingPoint At(IReadOnlyList<float> positiveScores, IReadOnlyList<float> negativeScores, double negativeHours, double targetFaPerHour)
    {
        ArgumentNullException.ThrowIfNull(positiveScores);
        ArgumentNullException.ThrowIfNull(negativeScores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(negativeHours);
        ArgumentOutOfRangeException.ThrowIfNegative(targetFaPerHour);
        var negatives = negativeScores.OrderByDescending(s => s).ToArray();
        var allowed = (int)Math.Floor((targetFaPerHour * negativeHours) + 1e-9);
        float threshold;
        if (allowed >= negatives.Length)
        {
            threshold = float.NegativeInfinity;
        }
        else
        {
            // Accept strictly more than the (allowed+1)-th highest negative score; ties at that score are rejected.
            threshold = MathF.BitIncrement(negatives[allowed]);
        }

        var falseAccepts = negatives.Count(s => s >= threshold);
        var falseRejects = positiveScores.Count(s => s < threshold);
        return new WakeWordOperatingPoint(
            positiveScores.Count == 0 ? 0 : (double)falseRejects / positiveScores.Count,
            falseAccepts / negativeHours,
            threshold,
            falseAccepts,
            falseRejects);
    }
}
