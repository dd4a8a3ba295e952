namespace Compress.Features;

/// <summary>
/// The constant matrices of the front-end: the windowed one-sided DFT basis (as Conv1d weights), the HTK mel
/// filterbank and the orthonormal DCT-II. Computed in double precision, stored as float.
/// </summary>
public static class FrontEndMatrices
{
    /// <summary>Periodic Hann window of <paramref name="length"/> samples: 0.5 − 0.5·cos(2πn / length).</summary>
    public static double[] HannWindow(int length) =>
        [.. Enumerable.Range(0, length).Select(n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / length)))];

    /// <summary>
    /// Conv1d weights [2·K, 1, window]: rows 0..K−1 are w[n]·cos(2πkn/NFft), rows K..2K−1 are −w[n]·sin(2πkn/NFft),
    /// K = NFft/2 + 1, so the convolution gives the real and imaginary parts of each frame's DFT.
    /// </summary>
    public static float[] DftBasis(FrontEndOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int k = o.FrequencyBins, w = o.WindowSamples;
        var window = HannWindow(w);
        var basis = new float[2 * k * w];
        for (var bin = 0; bin < k; bin++)
        {
            for (var n = 0; n < w; n++)
            {
                var angle = 2 * Math.PI * ((long)bin * n % o.NFft) / o.NFft;
                basis[(bin * w) + n] = (float)(window[n] * Math.Cos(angle));
                basis[((k + bin) * w) + n] = (float)(-window[n] * Math.Sin(angle));
            }
        }

        return basis;
    }

    /// <summary>HTK mel scale: 2595·log10(1 + hz/700).</summary>
    public static double HzToMel(double hz) => 2595 * Math.Log10(1 + (hz / 700));

    /// <summary>Inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);

    /// <summary>The MelBins + 2 filter edges in Hz, equally spaced in mel from FMin to the upper edge.</summary>
    public static double[] MelEdges(FrontEndOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var m = o.MelBins;
        double melLow = HzToMel(o.FMin), melHigh = HzToMel(o.UpperHz);
        return [.. Enumerable.Range(0, m + 2).Select(i => MelToHz(melLow + ((melHigh - melLow) * i / (m + 1))))];
    }

    /// <summary>
    /// Triangular filters [K, MelBins] (no area normalisation): filter m rises linearly in Hz from edge m to edge m+1
    /// and falls to edge m+2, edges equally spaced in mel from FMin to the upper edge; evaluated at bin k·SampleRate/NFft.
    /// </summary>
    public static float[] MelFilterbank(FrontEndOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int k = o.FrequencyBins, m = o.MelBins;
        var edges = MelEdges(o);
        var bank = new float[k * m];
        for (var bin = 0; bin < k; bin++)
        {
            var f = (double)bin * o.SampleRate / o.NFft;
            for (var j = 0; j < m; j++)
            {
                var up = (f - edges[j]) / (edges[j + 1] - edges[j]);
                var down = (edges[j + 2] - f) / (edges[j + 2] - edges[j + 1]);
                bank[(bin * m) + j] = (float)Math.Max(0, Math.Min(up, down));
            }
        }

        return bank;
    }

    /// <summary>Orthonormal DCT-II [MelBins, Coefficients]: sqrt(2/M)·cos(π/M·(m + ½)·c), column 0 scaled by 1/√2.</summary>
    public static float[] Dct(int melBins, int coefficients)
    {
        var dct = new float[melBins * coefficients];
        for (var m = 0; m < melBins; m++)
        {
            for (var c = 0; c < coefficients; c++)
            {
                var v = Math.Sqrt(2.0 / melBins) * Math.Cos(Math.PI / melBins * (m + 0.5) * c);
                dct[(m * coefficients) + c] = (float)(c == 0 ? v / Math.Sqrt(2) : v);
            }
        }

        return dct;
    }
}
