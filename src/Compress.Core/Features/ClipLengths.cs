using Compress.Audio;
using Compress.Data;

namespace Compress.Features;

/// <summary>
/// Per-clip lengths for a feature set whose clips were padded to <see cref="FrontEndOptions.Samples"/> (padding goes
/// at the end, so a clip's own frames come first): <see cref="IFeatureSet.ValidFrames"/> from each WAVE header.
/// </summary>
public static class ClipLengths
{
    /// <summary>
    /// <paramref name="set"/> (item i is <paramref name="items"/>[i]; not owned, the caller disposes it) with each
    /// item's valid frames: <see cref="FrontEndGraph.FramesFor"/> of its length after resampling to the front end's rate
    /// (⌊frames · rate / file rate⌋, the resampler's length), at most <see cref="FrontEndOptions.Frames"/>. A
    /// <c>_silence_</c> item (no file) is valid throughout. With <paramref name="augmentation"/> (a training set: its
    /// <see cref="AugmentationOptions.Copies"/> copies stored copy-major) each length is the farthest the augmentation
    /// can move the clip's end: slowed by the largest speed change (L · 100 / (100 − speed %), rounded up) and shifted
    /// by the largest time shift.
    /// </summary>
    public static IFeatureSet Wrap(IFeatureSet set, IReadOnlyList<AudioItem> items, FrontEndOptions frontEnd, AugmentationOptions? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(frontEnd);
        var copies = augmentation is null ? 1 : Math.Max(1, augmentation.Copies);
        if ((long)items.Count * copies != set.Count)
        {
            throw new ArgumentException($"{items.Count} items × {copies} copies for a set of {set.Count}", nameof(items));
        }

        var total = frontEnd.Frames;
        var valid = new int[items.Count];
        Parallel.For(0, items.Count, i =>
        {
            if (items[i].Path.Length == 0)
            {
                valid[i] = total;
                return;
            }

            var (format, frames) = WavReader.Inspect(items[i].Path);
            var samples = frames * frontEnd.SampleRate / format.SampleRate;
            if (augmentation is { } a)
            {
                samples = (long)Math.Ceiling(samples * 100 / (100 - Math.Clamp(a.SpeedPercent, 0, 99))) + (long)Math.Round(a.TimeShiftMs * frontEnd.SampleRate / 1000);
            }

            valid[i] = Math.Min(total, FrontEndGraph.FramesFor(frontEnd, samples));
        });

        return new LengthSet(set, [.. Enumerable.Range(0, copies).SelectMany(_ => valid)], total);
    }

    private sealed class LengthSet(IFeatureSet inner, int[] valid, int total) : IFeatureSet
    {
        public int Count => inner.Count;

        public IReadOnlyList<long> ItemShape => inner.ItemShape;

        public int LabelOf(int index) => inner.LabelOf(index);

        public void ReadFeatures(int index, Span<float> destination) => inner.ReadFeatures(index, destination);

        public (int Valid, int Total)? ValidFrames(int index) => (valid[index], total);

        public void Dispose()
        {
            // The inner set belongs to the caller.
        }
    }
}
