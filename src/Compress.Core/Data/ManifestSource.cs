using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Reads a CSV (comma) or TSV (tab; by the .tsv extension or a tab in the first line) manifest of
/// <c>path,label[,split]</c> lines — <c>path,transcript[,split]</c> for a CTC recogniser, whose transcripts are normalised
/// and must be spelled by its labels (CMP3109 per line otherwise). A first line starting with the field <c>path</c> is a
/// header; empty lines and lines starting with <c>#</c> are skipped; fields may be double-quoted (a quoted field may
/// hold the separator, and <c>""</c> inside it is one quote). Relative paths are under the manifest's
/// folder. Splits are train/training, validation/valid/val/dev, test/testing; without a split column the Speech
/// Commands hashing rule applies. Every bad line is reported (CMP3102) before failing.
/// </summary>
internal static class ManifestSource
{
    public static List<DatasetCandidate> Read(DatasetOptions options, string? specFile)
    {
        if (string.IsNullOrWhiteSpace(options.Manifest))
        {
            throw new CompressException(DataMessages.InvalidDatasetOptions(specFile, "format manifest needs a manifest path"));
        }

        var path = Path.GetFullPath(Path.Combine(options.Root, options.Manifest));
        if (!File.Exists(path))
        {
            throw new CompressException(DataMessages.DatasetMissing(path, "manifest"));
        }

        var folder = Path.GetDirectoryName(path)!;
        var lines = File.ReadAllLines(path);
        var tab = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || (lines.Length > 0 && lines[0].Contains('\t'));
        var candidates = new List<DatasetCandidate>();
        var problems = new List<Diagnostic>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = Fields(line, tab ? '\t' : ',');
            if (candidates.Count == 0 && problems.Count == 0 && fields[0].Equals("path", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (fields.Length is < 2 or > 3 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                problems.Add(DataMessages.ManifestLine(path, i + 1, $"{fields.Length} field(s)"));
                continue;
            }

            var file = Path.GetFullPath(Path.Combine(folder, fields[0]));
            DatasetSplit split;
            if (fields.Length == 3 && fields[2].Length > 0)
            {
                if (ParseSplit(fields[2]) is not { } parsed)
                {
                    problems.Add(DataMessages.ManifestLine(path, i + 1, $"unknown split '{fields[2]}'"));
                    continue;
                }

                split = parsed;
            }
            else
            {
                split = SpeechCommandsSplit.Which(file, options.ValidationPercent, options.TestingPercent);
            }

            var label = fields[1];
            if (options.Transcripts is { } transcripts)
            {
                label = transcripts.Normalization.Apply(label);
                if (transcripts.Vocabulary.Tokenize(label, out var unspelled) is null)
                {
                    problems.Add(DataMessages.TranscriptNotSpelled(path, i + 1, label, unspelled!));
                    continue;
                }
            }

            candidates.Add(new DatasetCandidate(file, label, split));
        }

        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }

        return candidates;
    }

    /// <summary>The fields of one line, trimmed: double-quoted fields may hold the separator, and "" inside them is a quote.</summary>
    internal static string[] Fields(string line, char separator)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().Trim());
        return [.. fields];
    }

    private static DatasetSplit? ParseSplit(string text) => text.ToLowerInvariant() switch
    {
        "train" or "training" => DatasetSplit.Train,
        "validation" or "valid" or "val" or "dev" => DatasetSplit.Validation,
        "test" or "testing" => DatasetSplit.Test,
        _ => null,
    };
}
