namespace Compress.Data;

/// <summary>
/// A read-only, random-access set of labelled feature items, usually memory-mapped so that reading one item does
/// not load the others. Every item has shape <see cref="ItemShape"/> (no batch dimension) and is float32.
/// Reads are thread-safe.
/// </summary>
public interface IFeatureSet : IDisposable
{
    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>The shape of one item, without the batch dimension (e.g. [1, 49, 40]).</summary>
    IReadOnlyList<long> ItemShape { get; }

    /// <summary>The label (model output index) of item <paramref name="index"/>.</summary>
    int LabelOf(int index);

    /// <summary>Copies item <paramref name="index"/>'s features (product of <see cref="ItemShape"/> floats) into <paramref name="destination"/>.</summary>
    void ReadFeatures(int index, Span<float> destination);

    /// <summary>
    /// How many of item <paramref name="index"/>'s front-end frames come from its clip rather than from the silence it
    /// was padded with to the clip length: (valid, total), valid ≤ total; null when every frame counts (the default:
    /// lengths unknown, as for NumPy features).
    /// </summary>
    (int Valid, int Total)? ValidFrames(int index) => null;
}
