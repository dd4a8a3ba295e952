namespace Compress.Audio;

/// <summary>How a WAVE file stores its samples (the <c>fmt </c> chunk's format tag).</summary>
public enum WavEncoding
{
    /// <summary>Integer PCM (tag 1): 8-bit unsigned, 16/24/32-bit signed.</summary>
    Pcm,

    /// <summary>IEEE float (tag 3): 32 or 64 bits.</summary>
    Float,

    /// <summary>G.711 µ-law (tag 7): 8 bits, decoded to 14-bit linear (what telephony and many IVR recordings use).</summary>
    MuLaw,

    /// <summary>G.711 A-law (tag 6): 8 bits, decoded to 13-bit linear.</summary>
    ALaw,
}

/// <summary>How a WAVE file's samples are stored (from its <c>fmt </c> chunk).</summary>
/// <param name="Encoding">The sample encoding.</param>
/// <param name="Channels">Interleaved channels per frame (≥ 1).</param>
/// <param name="SampleRate">Frames per second, in Hz.</param>
/// <param name="BitsPerSample">Container bits per sample: 8, 16, 24, 32 (PCM), 32, 64 (float) or 8 (µ-law, A-law).</param>
public sealed record WavFormat(WavEncoding Encoding, int Channels, int SampleRate, int BitsPerSample)
{
    /// <summary>Bytes per interleaved frame.</summary>
    public int BlockAlign => Channels * (BitsPerSample / 8);
}
