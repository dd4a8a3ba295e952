using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Finds the files of a Speech Commands folder: every <c>&lt;root&gt;/&lt;word&gt;/*.wav</c> (folders starting with
/// <c>_</c> or <c>.</c> are not words), split by validation_list.txt / testing_list.txt when either exists (other
/// files train), else by <see cref="SpeechCommandsSplit"/>.
/// </summary>
internal static class SpeechCommandsSource
{
    public const string ValidationList = "validation_list.txt";
    public const string TestingList = "testing_list.txt";

    public static List<DatasetCandidate> Scan(DatasetOptions options)
    {
        var root = Path.GetFullPath(options.Root);
        if (!Directory.Exists(root))
        {
            throw new CompressException(DataMessages.DatasetMissing(root, "Speech Commands dataset folder"));
        }

        var validation = ReadList(Path.Combine(root, ValidationList));
        var testing = ReadList(Path.Combine(root, TestingList));
        var useLists = validation is not null || testing is not null;
        var candidates = new List<DatasetCandidate>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var word = Path.GetFileName(folder);
            // Folders starting with '_' are special (_background_noise_) unless a label names them (a sigmoid head's _negative_).
            if ((word.StartsWith('_') && !options.Labels.Contains(word)) || word.StartsWith('.'))
            {
                continue;
            }

            foreach (var file in WaveFiles(folder))
            {
                var relative = $"{word}/{Path.GetFileName(file)}";
                var split = useLists
                    ? validation?.Contains(relative) == true ? DatasetSplit.Validation
                    : testing?.Contains(relative) == true ? DatasetSplit.Test
                    : DatasetSplit.Train
                    : SpeechCommandsSplit.Which(file, options.ValidationPercent, options.TestingPercent);
                candidates.Add(new DatasetCandidate(file, word, split));
            }
        }

        return candidates;
    }

    /// <summary>The <c>_background_noise_</c> WAVE files under <paramref name="root"/>, sorted; empty when there is no such folder.</summary>
    public static List<string> BackgroundNoise(string root)
    {
        var folder = Path.Combine(Path.GetFullPath(root), DatasetOptions.BackgroundNoiseFolder);
        return Directory.Exists(folder) ? WaveFiles(folder) : [];
    }

    private static List<string> WaveFiles(string folder) =>
        [.. Directory.GetFiles(folder).Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];

    private static HashSet<string>? ReadList(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Select(l => l.Trim().Replace('\\', '/')).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal)
            : null;
}
