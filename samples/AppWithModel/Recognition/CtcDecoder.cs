namespace AppWithModel.Recognition;

/// <summary>Greedy (best-path) CTC decoding, as Compress scores its WER gate.</summary>
public static class CtcDecoder
{
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
