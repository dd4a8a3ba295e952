using System.Security.Cryptography;
using Compress.Diagnostics;
using Compress.Text;

namespace Compress.Data;

/// <summary>The file behind <c>ctc.grammar</c>: the phrases a command recogniser decodes into (<see cref="CtcGrammar"/>).</summary>
public static class GrammarFile
{
    /// <summary>
    /// Reads a grammar file: one phrase per line, normalised by <paramref name="normalization"/>; blank lines and lines
    /// starting with <c>#</c> are skipped, and a repeated phrase counts once. A phrase the vocabulary cannot spell is
    /// CMP3109 at its line, and a file without phrases CMP3111; every such line is reported. The file is read once: the
    /// grammar carries the SHA-256 of the bytes it was parsed from (<see cref="CtcGrammar.Sha256"/>), which the run's
    /// inputs record.
    /// </summary>
    public static CtcGrammar Load(string path, CtcVocabulary vocabulary, TextNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(normalization);
        var phrases = new List<string>();
        var spellings = new List<int[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<Diagnostic>();
        var bytes = File.ReadAllBytes(path);
        using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
        var line = 0;
        while (reader.ReadLine() is { } raw)
        {
            line++;
            var trimmed = raw.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var phrase = normalization.Apply(trimmed);
            if (phrase.Length == 0 || !seen.Add(phrase))
            {
                continue;
            }

            if (vocabulary.Tokenize(phrase, out var unspelled) is { } ids)
            {
                phrases.Add(phrase);
                spellings.Add(ids);
            }
            else
            {
                errors.Add(DataMessages.TranscriptNotSpelled(path, line, phrase, unspelled!));
            }
        }

        if (errors.Count == 0 && phrases.Count == 0)
        {
            errors.Add(DataMessages.EmptyGrammar(path));
        }

        return errors.Count > 0
            ? throw new CompressException(errors)
            : new CtcGrammar(phrases, spellings, vocabulary.Blank, path) { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }
}
