namespace Compress.Audio;

/// <summary>
/// Mono audio: <see cref="Samples"/> are floats nominally in [-1, 1] at <see cref="SampleRate"/> Hz.
/// </summary>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    /// <summary>The clip's length in seconds.</summary>
    public double DurationSeconds => SampleRate > 0 ? (double)Samples.Length / SampleRate : 0;

    /// <summary>
    /// The clip padded with zeros at the end, or trimmed at the end, to exactly <paramref name="samples"/> samples
    /// (the Speech Commands convention). Returns this clip when it already has that length.
    /// </summary>
    public AudioClip FitTo(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        if (Samples.Length == samples)
        {
            return this;
        }

        var fitted = new float[samples];
        Array.Copy(Samples, fitted, Math.Min(samples, Samples.Length));
        return new AudioClip(fitted, SampleRate);
    }

    /// <summary>This clip at <paramref name="sampleRate"/> Hz (band-limited, see <see cref="Resampler"/>).</summary>
    public AudioClip ResampleTo(int sampleRate) =>
        sampleRate == SampleRate ? this : new AudioClip(Resampler.Resample(Samples, SampleRate, sampleRate), sampleRate);
}
