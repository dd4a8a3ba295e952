using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Opens a <see cref="DatasetFormat.Npy"/> dataset: with <c>{split}</c> in both paths, one pair of files per split
/// (train, validation, test); otherwise one pair split row by row with a fixed integer hash of the row index
/// (the same rows for every run and seed) and the validation/testing percentages.
/// </summary>
internal static class NpySource
{
    public const string SplitPlaceholder = "{split}";

    /// <summary>The split names <see cref="SplitPlaceholder"/> expands to, in the order train, validation, test.</summary>
    public static readonly IReadOnlyList<string> SplitNames = ["train", "validation", "test"];

    /// <summary>
    /// The files <paramref name="path"/> names: one per split when it holds <see cref="SplitPlaceholder"/>, else itself.
    /// Used by the loader and by <c>validate</c>'s path checks, so both expand the placeholder the same way.
    /// </summary>
    public static IReadOnlyList<(string? Split, string Path)> Expand(string path) =>
        path.Contains(SplitPlaceholder, StringComparison.Ordinal)
            ? SplitNames.Select(s => ((string?)s, path.Replace(SplitPlaceholder, s, StringComparison.Ordinal))).ToList()
            : [(null, path)];

    public static LoadedDataset Load(DatasetOptions o, string? specFile)
    {
        if (string.IsNullOrWhiteSpace(o.FeaturesPath) || string.IsNullOrWhiteSpace(o.LabelsPath))
        {
            throw new CompressException(DataMessages.InvalidDatasetOptions(specFile, "format npy needs features and labels paths"));
        }

        var perSplit = o.FeaturesPath.Contains(SplitPlaceholder, StringComparison.Ordinal);
        if (perSplit != o.LabelsPath.Contains(SplitPlaceholder, StringComparison.Ordinal))
        {
            throw new CompressException(DataMessages.InvalidDatasetOptions(specFile, "use {split} in both the features and the labels path, or in neither"));
        }

        var sets = new List<NpyFeatureSet>();
        try
        {
            if (perSplit)
            {
                foreach (var name in SplitNames)
                {
                    sets.Add(NpyFeatureSet.Open(Resolve(o, o.FeaturesPath, name), Resolve(o, o.LabelsPath, name), o.Labels.Count));
                }
            }
            else
            {
                var features = Resolve(o, o.FeaturesPath, null);
                var labelsPath = Resolve(o, o.LabelsPath, null);
                var labels = NpyFeatureSet.ReadLabels(labelsPath, o.Labels.Count);
                var rows = new List<int>[3] { [], [], [] };
                for (var i = 0; i < labels.Length; i++)
                {
                    var percent = (int)(Mix((ulong)i) % 100);
                    var split = percent < o.ValidationPercent ? 1 : percent < o.ValidationPercent + o.TestingPercent ? 2 : 0;
                    rows[split].Add(i);
                }

                sets.AddRange(rows.Select(r => NpyFeatureSet.Open(features, labelsPath, o.Labels.Count, r)));
            }

            var diagnostics = new List<Diagnostic>();
            if (sets.Any(s => !s.ItemShape.SequenceEqual(sets[0].ItemShape)))
            {
                throw new CompressException(DataMessages.NpyInvalid(Resolve(o, o.FeaturesPath, "validation"), "the splits' feature shapes differ"));
            }

            foreach (var (set, name) in sets.Zip(SplitNames))
            {
                if (set.Count == 0)
                {
                    diagnostics.Add(DataMessages.EmptySplit(specFile, name));
                }
            }

            return new LoadedDataset([.. o.Labels], [], [], [], [], diagnostics, new FeatureSplits(sets[0], sets[1], sets[2]));
        }
        catch
        {
            sets.ForEach(s => s.Dispose());
            throw;
        }
    }

    private static string Resolve(DatasetOptions o, string path, string? split)
    {
        var full = Path.GetFullPath(Path.Combine(o.Root, split is null ? path : path.Replace(SplitPlaceholder, split, StringComparison.Ordinal)));
        return File.Exists(full) ? full : throw new CompressException(DataMessages.DatasetMissing(full, "NumPy array file"));
    }

    /// <summary>SplitMix64 finaliser: a fixed, well-mixed hash of the row index.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
