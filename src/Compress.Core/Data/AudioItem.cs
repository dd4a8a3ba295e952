namespace Compress.Data;

/// <summary>
/// One labelled clip. <see cref="Path"/> is absolute, or "" for a <c>_silence_</c> item (made from background
/// noise or zeros); <see cref="Label"/> is the model output index of <see cref="LabelName"/>.
/// </summary>
public sealed record AudioItem(string Path, int Label, string LabelName);

/// <summary>The three splits of a dataset.</summary>
public enum DatasetSplit
{
    Train,
    Validation,
    Test,
}

/// <summary>How many items of <see cref="Label"/> are in <see cref="Split"/>.</summary>
public sealed record LabelCount(DatasetSplit Split, string Label, int Count);
