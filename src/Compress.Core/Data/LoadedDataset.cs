using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// A loaded dataset: items per split (audio formats) or feature sets per split (<see cref="DatasetFormat.Npy"/>,
/// in <see cref="Features"/>), the label names in model-output order, counts per label and split, the
/// background-noise files, and every diagnostic (bad files as warnings when skipped). Dispose it to release the
/// memory-mapped .npy files.
/// </summary>
public sealed class LoadedDataset : IDisposable
{
    internal LoadedDataset(
        IReadOnlyList<string> labels,
        IReadOnlyList<AudioItem> train,
        IReadOnlyList<AudioItem> validation,
        IReadOnlyList<AudioItem> test,
        IReadOnlyList<string> backgroundNoise,
        IReadOnlyList<Diagnostic> diagnostics,
        FeatureSplits? features = null)
    {
        Labels = labels;
        Train = train;
        Validation = validation;
        Test = test;
        BackgroundNoise = backgroundNoise;
        Diagnostics = diagnostics;
        Features = features;
        Counts = features is null ? CountItems() : CountFeatures(features);
    }

    /// <summary>Label names in model-output order (the spec's <c>labels:</c>).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Training items (empty for <see cref="DatasetFormat.Npy"/>).</summary>
    public IReadOnlyList<AudioItem> Train { get; }

    /// <summary>Validation items (empty for <see cref="DatasetFormat.Npy"/>).</summary>
    public IReadOnlyList<AudioItem> Validation { get; }

    /// <summary>Test items (empty for <see cref="DatasetFormat.Npy"/>).</summary>
    public IReadOnlyList<AudioItem> Test { get; }

    /// <summary>Absolute paths of the <c>_background_noise_</c> WAVE files (for silence and noise augmentation).</summary>
    public IReadOnlyList<string> BackgroundNoise { get; }

    /// <summary>Precomputed feature splits (only for <see cref="DatasetFormat.Npy"/>).</summary>
    public FeatureSplits? Features { get; }

    /// <summary>Items per split and label, every label of every split (zeros included), in split then label order.</summary>
    public IReadOnlyList<LabelCount> Counts { get; }

    /// <summary>Warnings and skipped-file reports (errors are thrown instead).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The items of <paramref name="split"/>.</summary>
    public IReadOnlyList<AudioItem> Items(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        _ => Test,
    };

    /// <summary>How many items of <paramref name="label"/> are in <paramref name="split"/>.</summary>
    public int Count(DatasetSplit split, string label) =>
        Counts.FirstOrDefault(c => c.Split == split && c.Label == label)?.Count ?? 0;

    /// <inheritdoc />
    public void Dispose() => Features?.Dispose();

    private List<LabelCount> CountItems()
    {
        var counts = new List<LabelCount>();
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            var items = Items(split);
            counts.AddRange(Labels.Select((label, index) => new LabelCount(split, label, items.Count(i => i.Label == index))));
        }

        return counts;
    }

    private List<LabelCount> CountFeatures(FeatureSplits features)
    {
        var counts = new List<LabelCount>();
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            var set = features[split];
            var perLabel = new int[Labels.Count];
            for (var i = 0; i < set.Count; i++)
            {
                perLabel[set.LabelOf(i)]++;
            }

            counts.AddRange(Labels.Select((label, index) => new LabelCount(split, label, perLabel[index])));
        }

        return counts;
    }
}

/// <summary>Feature sets for the three splits; disposing disposes all three.</summary>
public sealed record FeatureSplits(IFeatureSet Train, IFeatureSet Validation, IFeatureSet Test) : IDisposable
{
    /// <summary>The set of <paramref name="split"/>.</summary>
    public IFeatureSet this[DatasetSplit split] => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        _ => Test,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
