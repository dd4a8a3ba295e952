namespace Compress.Training;

/// <summary>One batch read from an <see cref="ITrainingData"/>: features row-major with <see cref="Shape"/> [N, ...item] and N labels.</summary>
public sealed record Batch(float[] Features, long[] Shape, long[] Labels)
{
    /// <summary>Each item's <see cref="ITrainingData.ValidFrames"/>, or null when the data has no lengths.</summary>
    public IReadOnlyList<(int Valid, int Total)?>? ValidFrames { get; init; }
}

/// <summary>
/// Deterministic batching: the order of epoch e is a Fisher–Yates shuffle seeded from (seed, e) with a fixed
/// generator (SplitMix64, independent of the .NET runtime). Training drops the last incomplete batch when there
/// is at least one full batch (so BatchNormalization never sees a batch of one); evaluation reads every item.
/// </summary>
public static class Batches
{
    /// <summary>Optimizer steps per epoch for <paramref name="count"/> items.</summary>
    public static int StepsPerEpoch(int count, int batchSize) => count == 0 ? 0 : Math.Max(1, count / batchSize);

    /// <summary>The item order of one epoch.</summary>
    public static int[] Order(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var state = unchecked(((ulong)(uint)seed << 32) ^ (ulong)(uint)epoch ^ 0x9E3779B97F4A7C15UL);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>The training batches of one epoch, as index ranges into <paramref name="order"/>.</summary>
    public static IEnumerable<int[]> TrainingBatches(int[] order, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(order);
        var steps = StepsPerEpoch(order.Length, batchSize);
        for (var s = 0; s < steps; s++)
        {
            var start = s * batchSize;
            yield return order[start..Math.Min(order.Length, start + batchSize)];
        }
    }

    /// <summary>
    /// The <paramref name="batches"/> (at least one) training batches a data-dependent pruning step reads in scoring
    /// round <paramref name="round"/>: an order of its own (the seed mixed with a constant, so it is not an epoch's),
    /// cycled when the data has fewer batches; empty without data. Taylor saliency and the layer re-solve read the same ones.
    /// </summary>
    public static IReadOnlyList<int[]> Scoring(int count, int batchSize, int batches, int seed, int round)
    {
        var chunks = TrainingBatches(Order(count, unchecked(seed ^ 0x7A5C), round), batchSize).ToList();
        return chunks.Count == 0 ? [] : [.. Enumerable.Range(0, Math.Max(1, batches)).Select(b => chunks[b % chunks.Count])];
    }

    /// <summary>Reads the items <paramref name="indices"/> into one batch.</summary>
    public static Batch Read(ITrainingData data, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        var itemSize = (int)data.ItemShape.Aggregate(1L, (a, d) => a * d);
        var features = new float[checked(itemSize * indices.Count)];
        var labels = new long[indices.Count];
        var valid = new (int Valid, int Total)?[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            data.ReadFeatures(indices[i], features.AsSpan(i * itemSize, itemSize));
            labels[i] = data.LabelOf(indices[i]);
            valid[i] = data.ValidFrames(indices[i]);
        }

        return new Batch(features, [indices.Count, .. data.ItemShape], labels) { ValidFrames = valid.Any(v => v is not null) ? valid : null };
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
