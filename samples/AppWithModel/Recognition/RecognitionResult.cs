namespace AppWithModel.Recognition;

/// <summary>One classified window: the best label, its probability, and every label's probability (sums to 1).</summary>
public sealed record RecognitionResult(string Label, float Confidence, float[] Probabilities, double LatencyMilliseconds)
{
    /// <summary>
    /// Probabilities from the model's scores: softmax of logits, or the scores themselves when the model already
    /// outputs a distribution (all in [0, 1], summing to 1 within 1e-3).
    /// </summary>
    public static float[] ToProbabilities(ReadOnlySpan<float> scores)
    {
        var sum = 0.0;
        var isDistribution = true;
        foreach (var s in scores)
        {
            sum += s;
            isDistribution &= s is >= 0 and <= 1;
        }

        if (isDistribution && Math.Abs(sum - 1) < 1e-3)
        {
            return scores.ToArray();
        }

        var max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }

        var result = new float[scores.Length];
        var total = 0.0;
        for (var i = 0; i < scores.Length; i++)
        {
            result[i] = MathF.Exp(scores[i] - max);
            total += result[i];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)(result[i] / total);
        }

        return result;
    }
}
