using System.Buffers.Binary;
using Compress.IO;

namespace Compress.Audio;

/// <summary>Writes mono 16-bit PCM WAVE files. Samples are clipped to [-1, 1] and rounded to the nearest step of 1/32768.</summary>
public static class WavWriter
{
    /// <summary>Writes <paramref name="mono"/> at <paramref name="sampleRate"/> Hz to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, float[] mono, int sampleRate) =>
        AtomicFile.WriteAllBytes(path, Encode(mono, sampleRate));

    /// <summary>Writes the file's bytes to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, float[] mono, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(mono, sampleRate));
    }

    /// <summary>The complete file: a 44-byte header and the samples.</summary>
    public static byte[] Encode(float[] mono, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(mono);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var dataBytes = checked(mono.Length * 2);
        var bytes = new byte[44 + dataBytes];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)(sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)dataBytes);
        for (var i = 0; i < mono.Length; i++)
        {
            var v = Math.Clamp(mono[i], -1f, 1f) * 32768f;
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + (2 * i))..], (short)Math.Clamp(MathF.Round(v), short.MinValue, short.MaxValue));
        }

        return bytes;
    }
}
