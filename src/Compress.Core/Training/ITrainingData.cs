namespace Compress.Training;

/// <summary>
/// A labelled dataset the engine reads item by item: every item is a float tensor of <see cref="ItemShape"/>
/// (without the batch dimension, e.g. [1, 49, 40] for log-mel frames × bins) and a class index. Implementations
/// may stream from disk; the engine reads items in a deterministic order derived from the training seed.
/// </summary>
public interface ITrainingData
{
    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>The shape of one item (no batch dimension). All items share it.</summary>
    IReadOnlyList<long> ItemShape { get; }

    /// <summary>The class index of item <paramref name="index"/>, in [0, classes).</summary>
    int LabelOf(int index);

    /// <summary>Writes item <paramref name="index"/>'s features, row-major, into <paramref name="destination"/> (exactly the item's element count).</summary>
    void ReadFeatures(int index, Span<float> destination);

    /// <summary>
    /// How many of item <paramref name="index"/>'s front-end frames come from its clip rather than from the padding to
    /// the clip length: (valid, total); null when every frame counts (the default). A CTC head's loss uses only the
    /// output frames they give (<see cref="Graph.CtcHead.ValidOutputFrames"/>).
    /// </summary>
    (int Valid, int Total)? ValidFrames(int index) => null;
}

/// <summary>An in-memory <see cref="ITrainingData"/>: items stored back to back in one array.</summary>
public sealed class ArrayTrainingData : ITrainingData
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int _itemSize;

    /// <param name="features">All items, row-major, item after item (<c>labels.Length × product(itemShape)</c> values).</param>
    /// <param name="itemShape">The shape of one item, without the batch dimension.</param>
    /// <param name="labels">The class index of each item.</param>
    public ArrayTrainingData(float[] features, long[] itemShape, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(itemShape);
        ArgumentNullException.ThrowIfNull(labels);
        var size = itemShape.Aggregate(1L, (a, d) => d < 0 ? throw new ArgumentException("dimensions must not be negative", nameof(itemShape)) : checked(a * d));
        if (checked(size * labels.Length) != features.Length)
        {
            throw new ArgumentException($"{features.Length} feature values do not hold {labels.Length} items of shape [{string.Join(",", itemShape)}]", nameof(features));
        }

        if (labels.Any(l => l < 0))
        {
            throw new ArgumentException("labels must be class indices (>= 0)", nameof(labels));
        }

        _features = features;
        _labels = labels;
        _itemSize = (int)size;
        ItemShape = itemShape.ToArray();
    }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public IReadOnlyList<long> ItemShape { get; }

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc />
    public void ReadFeatures(int index, Span<float> destination) =>
        _features.AsSpan(checked(index * _itemSize), _itemSize).CopyTo(destination);
}
