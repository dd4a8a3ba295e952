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
    /// <c>_silence_</c> item (no file) is valid throughout.
    /// </summary>
    public static IFeatureSet Wrap(IFeatureSet set, IReadOnlyList<AudioItem> items, FrontEndOptions frontEnd)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(frontEnd);
        if (items.Count != set.Count)
        {
            throw new ArgumentException($"{items.Count} items for a set of {set.Count}", nameof(items));
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
            valid[i] = Math.Min(total, FrontEndGraph.FramesFor(frontEnd, samples));
        });

        return new LengthSet(set, valid, total);
    }

    /// <summary>
    /// The output frames of a CTC model that see item's clip: ⌈T′ · valid / total⌉ of its T′ output frames (at most T′),
    /// the model's output frame rate taken as proportional to its input's. Never fewer than the frames that see a
    /// sample of the clip for a model that downsamples time by a stride (T′ = ⌈F / s⌉); at most one frame more.
    /// </summary>
    public static int ValidOutputFrames(int outputFrames, (int Valid, int Total)? frames) =>
        frames is not { } f || f.Total <= 0 ? outputFrames : (int)Math.Min(outputFrames, ((long)outputFrames * f.Valid + f.Total - 1) / f.Total);

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
