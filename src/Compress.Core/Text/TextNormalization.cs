using System.Globalization;
using System.Text;

namespace Compress.Text;

/// <summary>
/// How transcripts are normalised before they are spelled in tokens or scored: references (the manifest's
/// transcripts) and hypotheses (what a model decodes) go through the same <see cref="Apply"/>, so case and
/// punctuation never count as errors unless the spec keeps them. Whitespace is always collapsed to single spaces and
/// trimmed.
/// </summary>
/// <param name="Lowercase">Lower-case every letter (invariant culture). Default true.</param>
/// <param name="StripPunctuation">Turn punctuation and symbols into spaces, except the apostrophe inside words ("don't"). Default true. An apostrophe between letters is always written <c>'</c> (U+2019 too).</param>
public sealed record TextNormalization(bool Lowercase = true, bool StripPunctuation = true)
{
    /// <summary>Lower-case, punctuation stripped.</summary>
    public static TextNormalization Default { get; } = new();

    /// <summary>The normalised form of <paramref name="text"/>.</summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsWordApostrophe(text, i))
            {
                c = '\'';
            }
            else if (StripPunctuation && (char.IsPunctuation(c) || char.IsSymbol(c)))
            {
                c = ' ';
            }

            if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }

                continue;
            }

            builder.Append(Lowercase ? char.ToLower(c, CultureInfo.InvariantCulture) : c);
        }

        return builder.ToString().TrimEnd(' ');
    }

    /// <summary>An apostrophe (' or ’) between two letters; ’ is written as '.</summary>
    private static bool IsWordApostrophe(string text, int i) =>
        text[i] is '\'' or '\u2019' && i > 0 && i < text.Length - 1 && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]);
}
