namespace AppWithModel.Recognition;

/// <summary>The known phrase closest to a decoded text, or none (<see cref="Phrase"/> null) when it is too far from all of them.</summary>
/// <param name="WordErrors">Word edit distance between the text and the phrase (substitutions, insertions, deletions).</param>
/// <param name="CharErrors">Character edit distance between them (spaces included), which breaks ties.</param>
public sealed record PhraseMatch(string? Phrase, string Closest, int WordErrors, int CharErrors);

/// <summary>
/// The closed command grammar: the smart-home phrases the phrase model was trained on (tools/corpus/phrases.txt,
/// embedded in the app as resource Phrases.txt). A decoded text maps to the phrase with the fewest word edits (ties:
/// the fewest character edits, then file order); it is "not understood" unless at most half of the phrase's words are
/// wrong or at most a quarter of its characters.
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

        var understood = bestWords * 2 <= Words(best).Length || bestChars * 4 <= best.Length;
        return new PhraseMatch(understood ? best : null, best, bestWords, bestChars);
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
