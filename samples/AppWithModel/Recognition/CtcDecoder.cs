namespace AppWithModel.Recognition;

/// <summary>CTC decoding as Compress measures it: greedy (best path), and the probability of a given phrase (for <c>ctc.grammar</c>).</summary>
public static class CtcDecoder
{
    /// <summary>
    /// log P(<paramref name="target"/> | frames): the log of the sum, over every alignment of the target's token ids to
    /// the frames, of the product of their probabilities (the CTC forward algorithm, the same sum Compress's
    /// <c>ctc.grammar</c> decoding maximises). <paramref name="logProbabilities"/> is <c>[frames, vocab]</c> of
    /// log-probabilities (the sample model ends in LogSoftmax). A target too long for the frames gives −∞.
    /// </summary>
    public static double LogLikelihood(ReadOnlySpan<float> logProbabilities, int vocab, IReadOnlyList<int> target, int blank)
    {
        var frames = logProbabilities.Length / vocab;
        var states = (2 * target.Count) + 1;
        var label = new int[states];
        for (var s = 0; s < states; s++)
        {
            label[s] = (s & 1) == 0 ? blank : target[s >> 1];
        }

        var alpha = new double[states];
        var next = new double[states];
        Array.Fill(alpha, double.NegativeInfinity);
        if (frames == 0)
        {
            return double.NegativeInfinity;
        }

        alpha[0] = logProbabilities[label[0]];
        if (states > 1)
        {
            alpha[1] = logProbabilities[label[1]];
        }

        for (var t = 1; t < frames; t++)
        {
            for (var s = 0; s < states; s++)
            {
                var sum = LogAdd(alpha[s], s > 0 ? alpha[s - 1] : double.NegativeInfinity);
                if (s > 1 && (s & 1) == 1 && label[s] != label[s - 2])
                {
                    sum = LogAdd(sum, alpha[s - 2]);
                }

                next[s] = sum + logProbabilities[(t * vocab) + label[s]];
            }

            (alpha, next) = (next, alpha);
        }

        return states == 1 ? alpha[0] : LogAdd(alpha[states - 1], alpha[states - 2]);
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

    /// <summary>
    /// The text of per-frame scores <c>[frames, labels]</c> (row-major, log-probabilities or any monotone score):
    /// the best label of each frame, repeats collapsed, blanks dropped, <paramref name="wordDelimiter"/> spelled as a
    /// space; spaces are collapsed and trimmed.
    /// </summary>
    public static string Greedy(ReadOnlySpan<float> scores, IReadOnlyList<string> labels, string blank = "_", string wordDelimiter = "|")
    {
        var vocab = labels.Count;
        if (vocab == 0 || scores.Length % vocab != 0)
        {
            throw new InvalidOperationException($"the model returned {scores.Length} scores, not a multiple of its {vocab} labels");
        }

        var text = new System.Text.StringBuilder();
        var previous = -1;
        for (var frame = 0; frame < scores.Length / vocab; frame++)
        {
            var row = scores.Slice(frame * vocab, vocab);
            var best = 0;
            for (var i = 1; i < vocab; i++)
            {
                if (row[i] > row[best])
                {
                    best = i;
                }
            }

            if (best != previous && labels[best] != blank)
            {
                var token = labels[best] == wordDelimiter ? " " : labels[best];
                if (token != " " || (text.Length > 0 && text[^1] != ' '))
                {
                    text.Append(token);
                }
            }

            previous = best;
        }

        return text.ToString().Trim();
    }
}
