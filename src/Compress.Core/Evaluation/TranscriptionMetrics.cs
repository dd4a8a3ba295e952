using Compress.Text;

namespace Compress.Evaluation;

/// <summary>One utterance as measured: its reference, what the model decoded, and their word and character errors.</summary>
/// <param name="Index">The utterance's position in the measured split.</param>
public sealed record UtteranceResult(int Index, string Reference, string Hypothesis, EditCounts Words, EditCounts Characters);

/// <summary>
/// Metrics of a speech recogniser over a split: word and character error rates as corpus totals (the errors of every
/// utterance over the reference words or characters of every utterance, as sclite, jiwer and the ASR literature
/// compute them — not the mean of per-utterance rates), the share of utterances decoded exactly, and every
/// utterance's result. References and hypotheses are normalised texts (<see cref="TextNormalization"/>).
/// </summary>
public sealed record TranscriptionMetrics(int Count, EditCounts Words, EditCounts Characters, double SentenceAccuracy, IReadOnlyList<UtteranceResult> Utterances)
{
    /// <summary>How hypotheses were decoded: <c>greedy</c>, or <c>grammar of N phrases</c> (<c>ctc.grammar</c>).</summary>
    public string Decoder { get; init; } = "greedy";

    /// <summary>Word error rate: (S + D + I) / reference words.</summary>
    public double Wer => Words.Rate;

    /// <summary>Character error rate: (S + D + I) / reference characters (spaces included).</summary>
    public double Cer => Characters.Rate;

    /// <summary>Scores hypotheses against references, pairwise in order.</summary>
    public static TranscriptionMetrics Compute(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (references.Count != hypotheses.Count)
        {
            throw new ArgumentException($"{references.Count} references but {hypotheses.Count} hypotheses");
        }

        var utterances = new UtteranceResult[references.Count];
        EditCounts words = default, characters = default;
        var exact = 0;
        for (var i = 0; i < references.Count; i++)
        {
            var w = EditDistance.Words(references[i], hypotheses[i]);
            var c = EditDistance.Characters(references[i], hypotheses[i]);
            utterances[i] = new UtteranceResult(i, references[i], hypotheses[i], w, c);
            words += w;
            characters += c;
            exact += string.Equals(references[i], hypotheses[i], StringComparison.Ordinal) ? 1 : 0;
        }

        return new TranscriptionMetrics(references.Count, words, characters, references.Count == 0 ? 0 : (double)exact / references.Count, utterances);
    }

    /// <summary>The <paramref name="count"/> utterances with the most word errors (then character errors, then position).</summary>
    public IReadOnlyList<UtteranceResult> Worst(int count) =>
        [.. Utterances.Where(u => u.Characters.Errors > 0)
            .OrderByDescending(u => u.Words.Errors).ThenByDescending(u => u.Characters.Errors).ThenBy(u => u.Index)
            .Take(count)];
}
