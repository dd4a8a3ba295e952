namespace Compress.Audio;

/// <summary>
/// Band-limited sample-rate conversion by a Kaiser-windowed sinc (polyphase: one kernel per output phase of the
/// reduced ratio, cached when there are at most <see cref="MaxCachedPhases"/>). The cut-off is
/// <see cref="CutoffFraction"/> of the lower Nyquist frequency, so downsampling does not alias; each phase's
/// kernel is normalised to unit DC gain. Samples outside the input are zero.
/// </summary>
public static class Resampler
{
    /// <summary>Zero crossings of the sinc on each side of the centre (at the lower of the two rates).</summary>
    public const int ZeroCrossings = 16;

    /// <summary>The pass band edge as a fraction of the lower Nyquist frequency.</summary>
    public const double CutoffFraction = 0.95;

    /// <summary>Kaiser window β (≈ 80 dB stop band).</summary>
    public const double KaiserBeta = 8.0;

    private const int MaxCachedPhases = 4096;

    /// <summary>
    /// Resamples <paramref name="samples"/> from <paramref name="fromHz"/> to <paramref name="toHz"/>; the output has
    /// <c>floor(length · toHz / fromHz)</c> samples, output sample <c>n</c> sits at input time <c>n · fromHz / toHz</c>.
    /// </summary>
    public static float[] Resample(float[] samples, int fromHz, int toHz)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromHz);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toHz);
        if (fromHz == toHz)
        {
            return (float[])samples.Clone();
        }

        var g = Gcd(fromHz, toHz);
        long up = toHz / g, down = fromHz / g;
        var outLength = checked((int)(samples.LongLength * up / down));
        var output = new float[outLength];

        // Kernel in input-sample units: cut-off (cycles per input sample) fc = 0.5 · min(1, to/from) · CutoffFraction.
        var scale = Math.Min(1.0, (double)toHz / fromHz);
        var fc = 0.5 * scale * CutoffFraction;
        var halfWidth = ZeroCrossings / scale;
        var taps = (2 * (int)Math.Ceiling(halfWidth)) + 2;
        var cache = up <= MaxCachedPhases ? new float[up][] : null;
        var weights = new float[taps];
        for (var n = 0; n < outLength; n++)
        {
            var numerator = n * down;
            var centre = numerator / up;
            var phase = numerator % up;
            var frac = (double)phase / up;
            var first = centre - (taps / 2) + 1;
            float[] w;
            if (cache is not null)
            {
                w = cache[phase] ??= Kernel(first - centre - frac, taps, fc, halfWidth);
            }
            else
            {
                Kernel(first - centre - frac, fc, halfWidth, weights);
                w = weights;
            }

            double acc = 0;
            for (var t = 0; t < taps; t++)
            {
                var i = first + t;
                if (i >= 0 && i < samples.Length)
                {
                    acc += w[t] * samples[i];
                }
            }

            output[n] = (float)acc;
        }

        return output;
    }

    private static float[] Kernel(double offset, int taps, double fc, double halfWidth)
    {
        var w = new float[taps];
        Kernel(offset, fc, halfWidth, w);
        return w;
    }

    /// <summary>Weights for input samples at distances offset, offset+1, ... from the output time.</summary>
    private static void Kernel(double offset, double fc, double halfWidth, float[] w)
    {
        var sum = 0.0;
        var values = new double[w.Length];
        for (var t = 0; t < w.Length; t++)
        {
            var x = offset + t;
            var r = x / halfWidth;
            if (Math.Abs(r) >= 1)
            {
                values[t] = 0;
                continue;
            }

            var arg = 2 * fc * x;
            var sinc = Math.Abs(arg) < 1e-12 ? 1.0 : Math.Sin(Math.PI * arg) / (Math.PI * arg);
            values[t] = 2 * fc * sinc * BesselI0(KaiserBeta * Math.Sqrt(1 - (r * r))) / BesselI0(KaiserBeta);
            sum += values[t];
        }

        for (var t = 0; t < w.Length; t++)
        {
            w[t] = (float)(values[t] / sum);
        }
    }

    /// <summary>Modified Bessel function of the first kind, order 0 (power series).</summary>
    internal static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (var k = 1; k < 200; k++)
        {
            term *= q / (k * (double)k);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
