namespace AppWithModel.Recognition;

/// <summary>The phrase heard, or none (<see cref="Phrase"/> null) when the greedy text is too far from it.</summary>
/// <param name="Closest">The phrase heard: the most probable phrase of the grammar, or the nearest string to the text.</param>
/// <param name="WordErrors">Word edit distance between the greedy text and that phrase (substitutions, insertions, deletions).</param>
/// <param name="CharErrors">Character edit distance between them (spaces included).</param>
public sealed record PhraseMatch(string? Phrase, string Closest, int WordErrors, int CharErrors);

/// <summary>
/// The closed command grammar: the smart-home phrases the phrase model was trained on (tools/corpus/phrases.txt,
/// embedded in the app as resource Phrases.txt, and the sample spec's <c>ctc.grammar</c>). The model's frame scores
/// map to the phrase with the highest CTC probability (<see cref="MostProbable"/>, what Compress's gate measured),
/// a text to the phrase with the fewest word edits (<see cref="Match"/>); either is "not understood" unless the greedy
/// text has at most half of the phrase's words wrong or at most a quarter of its characters.
/// </summary>
public sealed class PhraseGrammar
{
    private readonly List<(string Text, string[] Words)> _phrases;

    /// <summary>A grammar of the given phrases (lower-case words separated by single spaces).</summary>
    public PhraseGrammar(IEnumerable<string> phrases)
    {
        _phrases = phrases.Select(p => (p, Words(p))).ToList();
        if (_phrases.Count == 0)
        {
            throw new ArgumentException("a grammar needs at least one phrase", nameof(phrases));
        }
    }

    /// <summary>The known phrases, in file order.</summary>
    public IEnumerable<string> Phrases => _phrases.Select(p => p.Text);

    /// <summary>The grammar compiled into the app (tools/corpus/phrases.txt: one phrase a line, '#' comments).</summary>
    public static PhraseGrammar Embedded()
    {
        using var stream = typeof(PhraseGrammar).Assembly.GetManifestResourceStream("Phrases.txt")
            ?? throw new InvalidOperationException("the app is missing its embedded resource Phrases.txt");
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
        return new PhraseGrammar(lines);
    }

    /// <summary>
    /// The phrases in token ids of <paramref name="labels"/> (once per model, not per clip): one character per label,
    /// <paramref name="wordDelimiter"/> between words; a phrase the labels cannot spell is left out.
    /// </summary>
    public IReadOnlyList<(string Phrase, int[] Ids)> Spell(IReadOnlyList<string> labels, string wordDelimiter = "|")
    {
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        return [.. _phrases
            .Select(p => (p.Text, Ids: p.Text.Select(c => index.TryGetValue(c == ' ' ? wordDelimiter : c.ToString(), out var id) ? id : -1).ToArray()))
            .Where(p => !p.Ids.Contains(-1))];
    }

    /// <summary>
    /// The phrase of <paramref name="spelled"/> (<see cref="Spell"/>) with the highest CTC log-likelihood under
    /// <paramref name="logProbabilities"/> (<c>[frames, vocab]</c>; ties: file order), judged against the greedy
    /// <paramref name="text"/> of the same frames.
    /// </summary>
    public PhraseMatch MostProbable(ReadOnlySpan<float> logProbabilities, int vocab, int blank, IReadOnlyList<(string Phrase, int[] Ids)> spelled, string text)
    {
        var best = _phrases[0].Text;
        var bestScore = double.NegativeInfinity;
        foreach (var (phrase, ids) in spelled)
        {
            var score = CtcDecoder.LogLikelihood(logProbabilities, vocab, ids, blank);
            if (score > bestScore)
            {
                (best, bestScore) = (phrase, score);
            }
        }

        return Judge(text, best);
    }

    /// <summary>The closest known phrase to <paramref name="text"/>.</summary>
    public PhraseMatch Match(string text)
    {
        var words = Words(text);
        var normalized = string.Join(' ', words);
        var (best, bestWords, bestChars) = (_phrases[0].Text, int.MaxValue, int.MaxValue);
        foreach (var (phrase, phraseWords) in _phrases)
        {
            var wordErrors = EditDistance(words, phraseWords);
            if (wordErrors > bestWords)
            {
                continue;
            }

            var charErrors = EditDistance(normalized.ToCharArray(), phrase.ToCharArray());
            if (wordErrors < bestWords || charErrors < bestChars)
            {
                (best, bestWords, bestChars) = (phrase, wordErrors, charErrors);
            }
        }

        return Judge(text, best);
    }

    private static PhraseMatch Judge(string text, string phrase)
    {
        var words = Words(text);
        var wordErrors = EditDistance(words, Words(phrase));
        var charErrors = EditDistance(string.Join(' ', words).ToCharArray(), phrase.ToCharArray());
        var understood = wordErrors * 2 <= Words(phrase).Length || charErrors * 4 <= phrase.Length;
        return new PhraseMatch(understood ? phrase : null, phrase, wordErrors, charErrors);
    }

    /// <summary>Levenshtein distance between two sequences.</summary>
    public static int EditDistance<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        var comparer = EqualityComparer<T>.Default;
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var j = 0; j <= b.Count; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Count; j++)
            {
                var substitution = previous[j - 1] + (comparer.Equals(a[i - 1], b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }

    /// <summary>Lower-case words of a text (split on whitespace).</summary>
    public static string[] Words(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
