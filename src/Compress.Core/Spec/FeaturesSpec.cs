using Compress.Features;

namespace Compress.Spec;

/// <summary>
/// <c>features:</c> the audio front-end (built as ONNX nodes, optionally prepended to the exported model). Clips
/// are resampled to <see cref="SampleRate"/> and padded/trimmed to <see cref="ClipSeconds"/> for every kind.
/// </summary>
public sealed record FeaturesSpec
{
    /// <summary>The front-end. Default <see cref="FrontEndKind.LogMel"/>, or <see cref="FrontEndKind.None"/> for <c>npy</c> data.</summary>
    public FrontEndKind Kind { get; init; } = FrontEndKind.LogMel;

    /// <summary>Sample rate in Hz that audio is resampled to, in [1000, 192000]. Default 16000.</summary>
    public int SampleRate { get; init; } = FrontEndOptions.DefaultSampleRate;

    /// <summary>Clip length in seconds, &gt; 0 and ≤ 60. Default 1.</summary>
    public double ClipSeconds { get; init; } = FrontEndOptions.DefaultClipSeconds;

    /// <summary>Analysis window length in milliseconds, &gt; 0. Default 30 (Hello Edge).</summary>
    public double WindowMs { get; init; } = FrontEndOptions.DefaultWindowMs;

    /// <summary>Hop between windows in milliseconds, &gt; 0. Default 20.</summary>
    public double HopMs { get; init; } = FrontEndOptions.DefaultHopMs;

    /// <summary>FFT size in samples, a power of two ≥ the window in samples. Default 512.</summary>
    public int NFft { get; init; } = FrontEndOptions.DefaultNFft;

    /// <summary>Number of mel filters, in [1, n_fft/2 + 1]. Default 40.</summary>
    public int MelBins { get; init; } = FrontEndOptions.DefaultMelBins;

    /// <summary>Lowest filter edge in Hz, ≥ 0 and &lt; <see cref="FMax"/>. Default 20.</summary>
    public double FMin { get; init; } = FrontEndOptions.DefaultFMin;

    /// <summary>Highest filter edge in Hz, ≤ sample_rate/2. Default sample_rate/2.</summary>
    public double FMax { get; init; } = FrontEndOptions.DefaultSampleRate / 2.0;

    /// <summary>Added to mel energies before the logarithm, &gt; 0. Default 1e-6.</summary>
    public double LogFloor { get; init; } = FrontEndOptions.DefaultLogFloor;

    /// <summary>MFCC coefficients kept (mfcc only), in [1, mel_bins]. Default 20.</summary>
    public int Coefficients { get; init; } = FrontEndOptions.DefaultCoefficients;

    /// <summary>Prepend the front-end to the exported model so apps feed raw PCM. Default false.</summary>
    public bool Prepend { get; init; }

    /// <summary>
    /// <c>features.layout</c>: the order of the model input's axes (e.g. <c>[batch, bins, frames]</c>); null = inferred
    /// from the model's input dims when only one layout fits.
    /// </summary>
    public InputLayout? Layout { get; init; }

    /// <summary>These settings as the front end's options (one mapping for <c>validate</c> and <c>run</c>).</summary>
    public FrontEndOptions ToFrontEnd() => new(Kind, SampleRate, ClipSeconds, WindowMs, HopMs, NFft, MelBins, FMin, FMax, LogFloor, Coefficients);

    /// <summary>Where the <c>features:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
