namespace Compress.Text;

/// <summary>
/// The output tokens of a CTC model (the spec's <c>labels:</c>, in output order): one is the blank, and one may be the
/// word delimiter that spaces are spelled with (<c>|</c> by convention). A transcript is spelled by longest match, so
/// tokens may be characters or word pieces. Decoding is the inverse: tokens joined, the delimiter read as a space.
/// </summary>
public sealed class CtcVocabulary
{
    private readonly Dictionary<string, int> _index;
    private readonly int _longest;

    /// <param name="tokens">The tokens in model-output order (non-empty, unique).</param>
    /// <param name="blank">The index of the blank token.</param>
    /// <param name="delimiter">The index of the word delimiter, or null when transcripts have no spaces.</param>
    public CtcVocabulary(IReadOnlyList<string> tokens, int blank, int? delimiter)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(blank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(blank, tokens.Count);
        if (delimiter is int d && (d < 0 || d >= tokens.Count || d == blank))
        {
            throw new ArgumentOutOfRangeException(nameof(delimiter), $"delimiter {d} must be a token other than the blank");
        }

        Tokens = [.. tokens];
        Blank = blank;
        Delimiter = delimiter;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Length == 0 || !_index.TryAdd(tokens[i], i))
            {
                throw new ArgumentException($"token {i} '{tokens[i]}' is empty or listed twice", nameof(tokens));
            }
        }

        _longest = tokens.Where((_, i) => i != blank && i != delimiter).Select(t => t.Length).DefaultIfEmpty(1).Max();
    }

    /// <summary>The tokens in model-output order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>The index of the blank.</summary>
    public int Blank { get; }

    /// <summary>The index of the word delimiter (what a space is spelled with), or null.</summary>
    public int? Delimiter { get; }

    /// <summary>
    /// Spells a normalised transcript: each space becomes the delimiter, everything else the longest token that
    /// matches (never the blank). Null when some text cannot be spelled; <paramref name="unspelled"/> then holds the first
    /// character that no token starts (a space when there is no delimiter).
    /// </summary>
    public int[]? Tokenize(string text, out string? unspelled)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                if (Delimiter is not int delimiter)
                {
                    unspelled = " ";
                    return null;
                }

                ids.Add(delimiter);
                i++;
                continue;
            }

            var matched = false;
            for (var length = Math.Min(_longest, text.Length - i); length > 0 && !matched; length--)
            {
                if (_index.TryGetValue(text.Substring(i, length), out var id) && id != Blank && id != Delimiter)
                {
                    ids.Add(id);
                    i += length;
                    matched = true;
                }
            }

            if (!matched)
            {
                unspelled = text.Substring(i, 1);
                return null;
            }
        }

        unspelled = null;
        return [.. ids];
    }

    /// <summary>The text of token ids (a decoded label sequence): tokens joined, the delimiter as a space, the blank skipped, spaces collapsed and trimmed.</summary>
    public string Detokenize(ReadOnlySpan<int> ids)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var id in ids)
        {
            if (id == Blank || (uint)id >= (uint)Tokens.Count)
            {
                continue;
            }

            if (id == Delimiter)
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
            }
            else
            {
                builder.Append(Tokens[id]);
            }
        }

        return builder.ToString().TrimEnd(' ');
    }

    /// <summary>The fewest frames a CTC output needs to emit <paramref name="target"/>: its length plus one blank between each pair of equal neighbours.</summary>
    public static int MinimumFrames(ReadOnlySpan<int> target)
    {
        var frames = target.Length;
        for (var i = 1; i < target.Length; i++)
        {
            frames += target[i] == target[i - 1] ? 1 : 0;
        }

        return frames;
    }

    /// <summary>Greedy (best-path) decoding of per-frame best tokens: repeats collapsed, then blanks removed.</summary>
    public static int[] Collapse(ReadOnlySpan<int> best, int blank)
    {
        var ids = new List<int>(best.Length);
        var previous = -1;
        foreach (var id in best)
        {
            if (id != previous && id != blank)
            {
                ids.Add(id);
            }

            previous = id;
        }

        return [.. ids];
    }
}
