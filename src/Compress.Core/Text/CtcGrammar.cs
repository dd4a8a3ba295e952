namespace Compress.Text;

/// <summary>
/// Closed-grammar CTC decoding (<c>ctc.grammar</c>): the utterance is one phrase of a fixed list, and the decoded text is
/// the phrase with the highest CTC probability given the output's frame scores — the sum over every frame alignment of
/// the phrase (the forward algorithm), not the best path and not the nearest string to it. A command recogniser that
/// knows its commands decodes this way; greedy decoding is what an open vocabulary gets.
/// </summary>
public sealed class CtcGrammar
{
    private readonly int[][] _tokens;

    /// <param name="phrases">The phrases, normalised as transcripts are.</param>
    /// <param name="tokens">Each phrase spelled in token ids (never the blank).</param>
    /// <param name="blank">The blank token's index.</param>
    /// <param name="path">The file the phrases came from (for reports), or null.</param>
    public CtcGrammar(IReadOnlyList<string> phrases, IReadOnlyList<int[]> tokens, int blank, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        ArgumentNullException.ThrowIfNull(tokens);
        if (phrases.Count == 0 || phrases.Count != tokens.Count)
        {
            throw new ArgumentException($"a grammar needs at least one phrase and one spelling per phrase ({phrases.Count} phrases, {tokens.Count} spellings)", nameof(tokens));
        }

        if (tokens.Any(t => t.Contains(blank)))
        {
            throw new ArgumentException("a phrase's spelling contains the blank", nameof(tokens));
        }

        Phrases = [.. phrases];
        _tokens = [.. tokens.Select(t => t.ToArray())];
        Blank = blank;
        Path = path;
    }

    /// <summary>The phrases, in file order (duplicates removed).</summary>
    public IReadOnlyList<string> Phrases { get; }

    /// <summary>The blank token's index.</summary>
    public int Blank { get; }

    /// <summary>The grammar file, or null.</summary>
    public string? Path { get; }

    /// <summary>SHA-256 (lower-case hex) of the file's bytes the phrases were read from, or null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// The phrase with the highest CTC log-likelihood under <paramref name="scores"/> (<paramref name="frames"/> rows of
    /// <paramref name="vocabulary"/> scores, read at <c>offset + t · stride</c> for frame t). Rows are logits,
    /// probabilities or log-probabilities: each is turned into log-probabilities first (a row of non-negative values
    /// summing to 1 is read as probabilities, anything else through log-softmax, which leaves log-probabilities as they
    /// are). Ties go to the earlier phrase; a phrase too long for the frames has likelihood 0 (−∞).
    /// </summary>
    public (int Phrase, double LogLikelihood) Decode(ReadOnlySpan<float> scores, int frames, int vocabulary, int offset, int stride)
    {
        var logProbabilities = new double[frames * vocabulary];
        for (var t = 0; t < frames; t++)
        {
            LogProbabilities(scores.Slice(offset + (t * stride), vocabulary), logProbabilities.AsSpan(t * vocabulary, vocabulary));
        }

        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var p = 0; p < _tokens.Length; p++)
        {
            var score = LogLikelihood(logProbabilities, frames, vocabulary, _tokens[p], Blank);
            if (score > bestScore)
            {
                (best, bestScore) = (p, score);
            }
        }

        return (best, bestScore);
    }

    /// <summary>
    /// log P(<paramref name="target"/> | frames) under CTC: the log of the sum, over every alignment of the target to the
    /// frames (blanks anywhere, a token repeated over consecutive frames, a blank between equal neighbours), of the
    /// product of the frames' probabilities. <paramref name="logProbabilities"/> is [frames, vocabulary], row-major.
    /// </summary>
    public static double LogLikelihood(ReadOnlySpan<double> logProbabilities, int frames, int vocabulary, ReadOnlySpan<int> target, int blank)
    {
        // The extended label sequence: blank, y1, blank, y2, ..., yL, blank.
        var states = (2 * target.Length) + 1;
        if (frames <= 0 || CtcVocabulary.MinimumFrames(target) > frames)
        {
            return double.NegativeInfinity;
        }

        var label = new int[states];
        for (var s = 0; s < states; s++)
        {
            label[s] = (s & 1) == 0 ? blank : target[s >> 1];
        }

        var alpha = new double[states];
        var next = new double[states];
        Array.Fill(alpha, double.NegativeInfinity);
        alpha[0] = logProbabilities[label[0]];
        if (states > 1)
        {
            alpha[1] = logProbabilities[label[1]];
        }

        for (var t = 1; t < frames; t++)
        {
            var row = logProbabilities.Slice(t * vocabulary, vocabulary);
            for (var s = 0; s < states; s++)
            {
                var sum = LogAdd(alpha[s], s > 0 ? alpha[s - 1] : double.NegativeInfinity);
                // Skipping the blank between two tokens is allowed when they differ.
                if (s > 1 && (s & 1) == 1 && label[s] != label[s - 2])
                {
                    sum = LogAdd(sum, alpha[s - 2]);
                }

                next[s] = sum + row[label[s]];
            }

            (alpha, next) = (next, alpha);
        }

        return states == 1 ? alpha[0] : LogAdd(alpha[states - 1], alpha[states - 2]);
    }

    /// <summary>One row of scores as log-probabilities (see <see cref="Decode"/>).</summary>
    public static void LogProbabilities(ReadOnlySpan<float> row, Span<double> destination)
    {
        var sum = 0.0;
        var probabilities = true;
        var max = double.NegativeInfinity;
        foreach (var v in row)
        {
            probabilities &= v >= 0 && v <= 1;
            sum += v;
            max = Math.Max(max, v);
        }

        if (probabilities && Math.Abs(sum - 1) < 1e-3)
        {
            for (var i = 0; i < row.Length; i++)
            {
                destination[i] = row[i] > 0 ? Math.Log(row[i]) : double.NegativeInfinity;
            }

            return;
        }

        var total = 0.0;
        foreach (var v in row)
        {
            total += Math.Exp(v - max);
        }

        var log = max + Math.Log(total);
        for (var i = 0; i < row.Length; i++)
        {
            destination[i] = row[i] - log;
        }
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        if (double.IsNegativeInfinity(b))
        {
            return a;
        }

        var max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }
}
