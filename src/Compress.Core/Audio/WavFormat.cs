namespace Compress.Audio;

/// <summary>How a WAVE file's samples are stored (from its <c>fmt </c> chunk).</summary>
/// <param name="IsFloat">IEEE float samples (else integer PCM).</param>
/// <param name="Channels">Interleaved channels per frame (≥ 1).</param>
/// <param name="SampleRate">Frames per second, in Hz.</param>
/// <param name="BitsPerSample">Container bits per sample: 8, 16, 24, 32 (PCM) or 32, 64 (float).</param>
public sealed record WavFormat(bool IsFloat, int Channels, int SampleRate, int BitsPerSample)
{
    /// <summary>Bytes per interleaved frame.</summary>
    public int BlockAlign => Channels * (BitsPerSample / 8);
}
