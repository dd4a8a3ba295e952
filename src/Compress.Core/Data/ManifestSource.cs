using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Reads a CSV (comma) or TSV (tab; by the .tsv extension or a tab in the first line) manifest of
/// <c>path,label[,split]</c> lines. A first line starting with the field <c>path</c> is a header; empty lines and
/// lines starting with <c>#</c> are skipped; fields may be double-quoted. Relative paths are under the manifest's
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

            var fields = line.Split(tab ? '\t' : ',').Select(f => f.Trim().Trim('"').Trim()).ToArray();
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

            candidates.Add(new DatasetCandidate(file, fields[1], split));
        }

        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }

        return candidates;
    }

    private static DatasetSplit? ParseSplit(string text) => text.ToLowerInvariant() switch
    {
        "train" or "training" => DatasetSplit.Train,
        "validation" or "valid" or "val" or "dev" => DatasetSplit.Validation,
        "test" or "testing" => DatasetSplit.Test,
        _ => null,
    };
}
