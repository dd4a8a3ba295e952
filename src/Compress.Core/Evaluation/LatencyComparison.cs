using System.Diagnostics;

namespace Compress.Evaluation;

/// <summary>
/// What one model is fed when its latency is measured: its serialised bytes, the output fetched (null: the first) and
/// the inputs, each a whole batch of <see cref="Shape"/> (<c>Shape[0]</c> clips). Round <c>r</c> feeds
/// <c>Batches[r % Batches.Count]</c>, so two feeds built from the same clips score the same clips in every round, each
/// in its own shape.
/// </summary>
public sealed record LatencyFeed(byte[] Model, IReadOnlyList<float[]> Batches, long[] Shape, string? Output = null)
{
    /// <summary>Clips per call: <c>Shape[0]</c>.</summary>
    public int Batch => (int)Shape[0];
}

/// <summary>One round: the wall time of the reference's and the candidate's call (ms), and which ran first.</summary>
public sealed record LatencyRound(double ReferenceMs, double CandidateMs, bool CandidateFirst)
{
    /// <summary>Candidate / reference.</summary>
    public double Ratio => CandidateMs / ReferenceMs;
}

/// <summary>
/// Two models timed in alternation (<see cref="LatencyComparison"/>). Milliseconds are per clip (a call's wall time
/// divided by <see cref="Batch"/>), medians over the rounds; the ratio is candidate / reference, its median and
/// spread taken over the per-round ratios (below 1: the candidate is faster).
/// </summary>
public sealed record PairedLatency(
    double ReferenceMsPerClip,
    double CandidateMsPerClip,
    double Ratio,
    double RatioMin,
    double RatioMax,
    double RatioP25,
    double RatioP75,
    int Threads,
    int Batch,
    IReadOnlyList<LatencyRound> Rounds)
{
    /// <summary>Whether the candidate is not faster than the reference: median ratio ≥ 1.</summary>
    public bool CandidateNotFaster => Ratio >= 1.0;
}

/// <summary>
/// Paired ONNX Runtime latency of two models on the same clips, in one process: both sessions are created (ORT's
/// default graph optimisations, <c>threads</c> intra-op threads, one inter-op thread, sequential execution: how an
/// app loads a model), each is warmed up, then every round runs one call of each, the order alternating (reference
/// first in even rounds, candidate first in odd ones) so drift and cache effects hit both alike. Each call is timed
/// with a <see cref="Stopwatch"/> around <c>Run</c> and the read of the output.
/// </summary>
public static class LatencyComparison
{
    /// <summary>Timed rounds by default.</summary>
    public const int DefaultRounds = 40;

    /// <summary>Untimed calls of each model before the first round.</summary>
    public const int WarmupCalls = 10;

    /// <summary>ONNX Runtime intra-op threads by default: one, the number latency targets are stated for.</summary>
    public const int DefaultThreads = 1;

    /// <summary>Times <paramref name="reference"/> against <paramref name="candidate"/> for <paramref name="rounds"/> rounds.</summary>
    /// <exception cref="ArgumentException">The feeds hold different numbers of clips per call, or no inputs.</exception>
    /// <exception cref="Microsoft.ML.OnnxRuntime.OnnxRuntimeException">A model cannot run on its feed.</exception>
    public static PairedLatency Compare(LatencyFeed reference, LatencyFeed candidate, int rounds = DefaultRounds, int threads = DefaultThreads)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (reference.Batch != candidate.Batch || reference.Batches.Count == 0 || candidate.Batches.Count == 0)
        {
            throw new ArgumentException($"both feeds need inputs of the same batch (reference {reference.Batch} clips in {reference.Batches.Count} inputs, candidate {candidate.Batch} in {candidate.Batches.Count})");
        }

        using var a = new OrtClassifier(reference.Model, threads, reference.Output);
        using var b = new OrtClassifier(candidate.Model, threads, candidate.Output);
        for (var i = 0; i < WarmupCalls; i++)
        {
            Time(a, reference, i);
            Time(b, candidate, i);
        }

        var timed = new List<LatencyRound>(rounds);
        for (var r = 0; r < rounds; r++)
        {
            var candidateFirst = r % 2 == 1;
            double referenceMs, candidateMs;
            if (candidateFirst)
            {
                candidateMs = Time(b, candidate, r);
                referenceMs = Time(a, reference, r);
            }
            else
            {
                referenceMs = Time(a, reference, r);
                candidateMs = Time(b, candidate, r);
            }

            timed.Add(new LatencyRound(referenceMs, candidateMs, candidateFirst));
        }

        var batch = reference.Batch;
        var ratios = timed.Select(t => t.Ratio).Order().ToList();
        return new PairedLatency(
            Median(timed.Select(t => t.ReferenceMs / batch)),
            Median(timed.Select(t => t.CandidateMs / batch)),
            Quantile(ratios, 0.5),
            ratios[0],
            ratios[^1],
            Quantile(ratios, 0.25),
            Quantile(ratios, 0.75),
            threads,
            batch,
            timed);
    }

    private static double Time(OrtClassifier session, LatencyFeed feed, int round)
    {
        var input = feed.Batches[round % feed.Batches.Count];
        var watch = Stopwatch.StartNew();
        _ = session.Score(input, feed.Shape);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(IEnumerable<double> values) => Quantile([.. values.Order()], 0.5);

    /// <summary>The <paramref name="q"/>-quantile of ascending <paramref name="sorted"/>, linear between neighbours.</summary>
    internal static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var at = q * (sorted.Count - 1);
        var low = (int)Math.Floor(at);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (at - low));
    }
}
