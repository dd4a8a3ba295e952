using Compress.Audio;
using Compress.Data;

namespace Compress.Features;

/// <summary>
/// Turns an <see cref="AudioItem"/> into the PCM the front-end takes: decoded, resampled to the front-end's rate,
/// augmented (training), and fitted to its length. <c>_silence_</c> items (empty path) are a random stretch of a
/// background-noise clip at a volume drawn from [0, 1), or zeros when there is no background noise. Every random
/// choice comes from <see cref="RandomFor"/>, so results depend only on (seed, item index, copy).
/// </summary>
internal sealed class ClipPreparer
{
    private readonly FrontEndOptions _frontEnd;
    private readonly AugmentationOptions? _augmentation;
    private readonly IReadOnlyList<float[]> _background;
    private readonly int _seed;

    public ClipPreparer(FrontEndOptions frontEnd, AugmentationOptions? augmentation, IReadOnlyList<string> backgroundNoise, int seed)
    {
        _frontEnd = frontEnd;
        _augmentation = augmentation;
        _seed = seed;
        _background = [.. backgroundNoise.Select(p => WavReader.Read(p).ResampleTo(frontEnd.SampleRate).Samples).Where(s => s.Length > 0)];
    }

    /// <summary>A seeded generator for (seed, item, copy) that does not depend on the process (unlike HashCode).</summary>
    public static Random RandomFor(int seed, int item, int copy, int salt) =>
        new((int)(Mix(((ulong)(uint)seed << 32) ^ ((ulong)(uint)item << 8) ^ ((ulong)(uint)copy << 1) ^ ((ulong)(uint)salt << 56)) & 0x7FFFFFFF));

    /// <summary>Fills <paramref name="destination"/> (the front-end's sample count) with the item's prepared PCM.</summary>
    public void Prepare(AudioItem item, int itemIndex, int copy, Span<float> destination)
    {
        var random = RandomFor(_seed, itemIndex, copy, 1);
        var rate = _frontEnd.SampleRate;
        var samples = item.Path.Length == 0
            ? Silence(random, destination.Length)
            : WavReader.Read(item.Path).ResampleTo(rate).Samples;
        if (_augmentation is { } a)
        {
            samples = Augment(a, samples, random, item.Path.Length == 0);
        }

        destination.Clear();
        samples.AsSpan(0, Math.Min(samples.Length, destination.Length)).CopyTo(destination);
    }

    private float[] Silence(Random random, int length)
    {
        var output = new float[length];
        if (_background.Count == 0)
        {
            return output;
        }

        var volume = (float)random.NextDouble();
        NoiseSegment(random, length).AsSpan().CopyTo(output);
        for (var i = 0; i < length; i++)
        {
            output[i] *= volume;
        }

        return output;
    }

    private float[] NoiseSegment(Random random, int length)
    {
        var noise = _background[random.Next(_background.Count)];
        var segment = new float[length];
        var offset = noise.Length > length ? random.Next(noise.Length - length) : 0;
        for (var i = 0; i < length; i++)
        {
            segment[i] = noise[(offset + i) % noise.Length];
        }

        return segment;
    }

    private float[] Augment(AugmentationOptions a, float[] samples, Random random, bool silence)
    {
        var rate = _frontEnd.SampleRate;
        var length = _frontEnd.Samples;
        var percent = (int)Math.Round(((random.NextDouble() * 2) - 1) * a.SpeedPercent);
        if (percent != 0)
        {
            // Played at (100 + percent)% speed: treat the clip as recorded at a higher (or lower) rate.
            samples = Resampler.Resample(samples, (int)Math.Round(rate * (100 + percent) / 100.0), rate);
        }

        var fitted = new float[length];
        var shift = (int)Math.Round(((random.NextDouble() * 2) - 1) * a.TimeShiftMs * rate / 1000);
        for (var i = 0; i < length; i++)
        {
            var source = i - shift;
            fitted[i] = source >= 0 && source < samples.Length ? samples[source] : 0;
        }

        var gain = (float)Math.Pow(10, ((random.NextDouble() * 2) - 1) * a.GainDb / 20);
        for (var i = 0; i < length; i++)
        {
            fitted[i] *= gain;
        }

        var mixNoise = random.NextDouble() < a.NoiseProbability;
        var snr = a.MinSnrDb + (random.NextDouble() * (a.MaxSnrDb - a.MinSnrDb));
        if (mixNoise && !silence && _background.Count > 0)
        {
            var noise = NoiseSegment(random, length);
            var signalPower = fitted.Average(x => (double)x * x);
            var noisePower = noise.Average(x => (double)x * x);
            if (signalPower > 1e-12 && noisePower > 1e-12)
            {
                var scale = (float)Math.Sqrt(signalPower / (noisePower * Math.Pow(10, snr / 10)));
                for (var i = 0; i < length; i++)
                {
                    fitted[i] += noise[i] * scale;
                }
            }
        }

        return fitted;
    }

    /// <summary>SpecAugment on one item's features laid out [frames, bins]: masks filled with the item's mean.</summary>
    public static void MaskFeatures(AugmentationOptions a, Span<float> features, int frames, int bins, Random random)
    {
        if (a.TimeMasks <= 0 && a.FreqMasks <= 0)
        {
            return;
        }

        var mean = 0.0;
        foreach (var v in features)
        {
            mean += v;
        }

        var fill = (float)(mean / features.Length);
        for (var m = 0; m < a.TimeMasks; m++)
        {
            var width = random.Next(Math.Min(a.TimeMaskFrames, frames) + 1);
            var start = random.Next(frames - width + 1);
            for (var t = start; t < start + width; t++)
            {
                features.Slice(t * bins, bins).Fill(fill);
            }
        }

        for (var m = 0; m < a.FreqMasks; m++)
        {
            var width = random.Next(Math.Min(a.FreqMaskBins, bins) + 1);
            var start = random.Next(bins - width + 1);
            for (var t = 0; t < frames; t++)
            {
                features.Slice((t * bins) + start, width).Fill(fill);
            }
        }
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
