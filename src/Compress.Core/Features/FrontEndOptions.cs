using Compress.Diagnostics;

namespace Compress.Features;

/// <summary>Which features the front-end computes.</summary>
public enum FrontEndKind
{
    /// <summary>No front-end: the model takes the fitted PCM itself, shape [1, samples].</summary>
    [SpecName("none")] None,

    /// <summary>Log mel-filterbank energies, shape [1, frames, mel bins].</summary>
    [SpecName("log_mel")] LogMel,

    /// <summary>MFCC: an orthonormal DCT-II of the log mel energies, shape [1, frames, coefficients].</summary>
    [SpecName("mfcc")] Mfcc,
}

/// <summary>
/// The audio front-end. Clips are <see cref="Samples"/> long at <see cref="SampleRate"/> Hz; frames of
/// <see cref="WindowMs"/> (periodic Hann window, zero-padded to <see cref="NFft"/>) every <see cref="HopMs"/>,
/// with no centre padding, so <see cref="Frames"/> = 1 + (samples − window) / hop (49 for the defaults: 1 s at
/// 16 kHz, 30 ms window, 20 ms hop, as in Hello Edge). Power spectra go through <see cref="MelBins"/> HTK-mel
/// triangular filters from <see cref="FMin"/> to <see cref="FMax"/> (default: Nyquist), then ln(max(x, LogFloor));
/// MFCC keeps the first <see cref="Coefficients"/> orthonormal DCT-II coefficients.
/// </summary>
public sealed record FrontEndOptions(
    FrontEndKind Kind,
    int SampleRate = FrontEndOptions.DefaultSampleRate,
    double ClipSeconds = FrontEndOptions.DefaultClipSeconds,
    double WindowMs = FrontEndOptions.DefaultWindowMs,
    double HopMs = FrontEndOptions.DefaultHopMs,
    int NFft = FrontEndOptions.DefaultNFft,
    int MelBins = FrontEndOptions.DefaultMelBins,
    double FMin = FrontEndOptions.DefaultFMin,
    double? FMax = null,
    double LogFloor = FrontEndOptions.DefaultLogFloor,
    int Coefficients = FrontEndOptions.DefaultCoefficients)
{
    // The defaults below are the only copies: the spec parser, the spec records, SpecTemplate (`init`) and
    // docs/compress-yaml.md use or are tested against them (SpecDefaultsTests).

    /// <summary>Default <see cref="SampleRate"/> in Hz: 16000.</summary>
    public const int DefaultSampleRate = 16000;

    /// <summary>Default <see cref="ClipSeconds"/> in seconds: 1.</summary>
    public const double DefaultClipSeconds = 1.0;

    /// <summary>Default <see cref="WindowMs"/> (analysis window in ms): 30.</summary>
    public const double DefaultWindowMs = 30;

    /// <summary>Default <see cref="HopMs"/> (hop between frames in ms): 20.</summary>
    public const double DefaultHopMs = 20;

    /// <summary>Default <see cref="NFft"/> (FFT size in samples): 512.</summary>
    public const int DefaultNFft = 512;

    /// <summary>Default <see cref="MelBins"/> (mel filters): 40.</summary>
    public const int DefaultMelBins = 40;

    /// <summary>Default <see cref="FMin"/> (lowest mel edge in Hz): 20.</summary>
    public const double DefaultFMin = 20;

    /// <summary>Default <see cref="LogFloor"/> (floor before the logarithm): 1e-6.</summary>
    public const double DefaultLogFloor = 1e-6;

    /// <summary>Default <see cref="Coefficients"/> (MFCCs kept): 10.</summary>
    public const int DefaultCoefficients = 10;

    /// <summary>Samples per clip: round(SampleRate · ClipSeconds).</summary>
    public int Samples => (int)Math.Round(SampleRate * ClipSeconds);

    /// <summary>Samples per analysis window: round(SampleRate · WindowMs / 1000).</summary>
    public int WindowSamples => (int)Math.Round(SampleRate * WindowMs / 1000);

    /// <summary>Samples between frame starts: round(SampleRate · HopMs / 1000).</summary>
    public int HopSamples => (int)Math.Round(SampleRate * HopMs / 1000);

    /// <summary>Frequency bins of the one-sided spectrum: NFft / 2 + 1.</summary>
    public int FrequencyBins => (NFft / 2) + 1;

    /// <summary>The upper mel edge in Hz (<see cref="FMax"/> or the Nyquist frequency).</summary>
    public double UpperHz => FMax ?? SampleRate / 2.0;

    /// <summary>Feature frames per clip (1 for <see cref="FrontEndKind.None"/>).</summary>
    public int Frames => Kind == FrontEndKind.None ? 1 : WindowSamples > Samples || HopSamples < 1 ? 0 : 1 + ((Samples - WindowSamples) / HopSamples);

    /// <summary>Values per frame: samples (None), mel bins (LogMel) or coefficients (Mfcc).</summary>
    // No discard arm: a new FrontEndKind fails the build here (CS8509).
    public int Bins => Kind switch
    {
        FrontEndKind.None => Samples,
        FrontEndKind.LogMel => MelBins,
        FrontEndKind.Mfcc => Coefficients,
    };

    /// <summary>The shape of one item's features, without the batch: [1, samples] for None, else [1, Frames, Bins].</summary>
    public IReadOnlyList<long> OutputShape => Kind == FrontEndKind.None ? [1, Samples] : [1, Frames, Bins];

    /// <summary>Every inconsistency of the options (CMP3201), empty when they are usable.</summary>
    public IReadOnlyList<Diagnostic> Validate()
    {
        var problems = new List<Diagnostic>();
        void Check(bool ok, string detail)
        {
            if (!ok)
            {
                problems.Add(DataMessages.InvalidFrontEnd(detail));
            }
        }

        Check(SampleRate is > 0 and <= Audio.WavReader.MaxSampleRate, $"sample rate {SampleRate} Hz");
        Check(ClipSeconds > 0 && Samples > 0, $"clip length {ClipSeconds} s");
        if (Kind == FrontEndKind.None || problems.Count > 0)
        {
            return problems;
        }

        Check(WindowSamples >= 2, $"window {WindowMs} ms is shorter than 2 samples");
        Check(HopSamples >= 1, $"hop {HopMs} ms is shorter than a sample");
        Check(WindowSamples <= NFft, $"window of {WindowSamples} samples is longer than n_fft {NFft}");
        Check(WindowSamples <= Samples, $"window of {WindowSamples} samples is longer than the clip ({Samples} samples)");
        Check(MelBins >= 1, $"mel bins {MelBins}");
        Check(FMin >= 0 && UpperHz > FMin && UpperHz <= SampleRate / 2.0, $"mel range {FMin}..{UpperHz} Hz must lie in 0..{SampleRate / 2.0} Hz");
        Check(LogFloor > 0, $"log floor {LogFloor} must be positive");
        if (Kind == FrontEndKind.Mfcc)
        {
            Check(Coefficients >= 1 && Coefficients <= MelBins, $"{Coefficients} coefficients for {MelBins} mel bins");
        }

        return problems;
    }

    /// <summary>Throws a <see cref="CompressException"/> with every problem found by <see cref="Validate"/>.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }
    }
}
