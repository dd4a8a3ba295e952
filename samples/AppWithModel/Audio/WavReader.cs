using System.Buffers.Binary;

namespace AppWithModel.Audio;

/// <summary>Decoded audio: mono samples in [-1, 1] and their sample rate in Hz.</summary>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    /// <summary>Length in seconds.</summary>
    public double Duration => (double)Samples.Length / SampleRate;
}

/// <summary>
/// A small self-contained RIFF/WAVE reader: integer PCM (8, 16, 24, 32 bit) and IEEE float (32, 64 bit), plain or
/// WAVE_FORMAT_EXTENSIBLE, any channel count (averaged to mono). Unknown chunks are skipped.
/// </summary>
public static class WavReader
{
    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    /// <summary>Reads a WAV file; throws <see cref="InvalidDataException"/> naming the file when it is not one this reader supports.</summary>
    public static AudioClip Read(string path)
    {
        try
        {
            return Read(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Decodes the bytes of a WAV file.</summary>
    public static AudioClip Read(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("not a RIFF/WAVE file");
        }

        ushort format = 0, channels = 0, bits = 0;
        var sampleRate = 0;
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = wav.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(offset + 4, 4)), (uint)(wav.Length - offset - 8));
            var body = wav.Slice(offset + 8, size);
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16)
                {
                    throw new InvalidDataException("fmt chunk is too short");
                }

                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == FormatExtensible && size >= 26)
                {
                    format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0 || sampleRate <= 0)
                {
                    throw new InvalidDataException("data chunk before a valid fmt chunk");
                }

                return new AudioClip(Decode(body, format, channels, bits), sampleRate);
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, ushort format, int channels, int bits)
    {
        Func<ReadOnlySpan<byte>, float> sample = (format, bits) switch
        {
            (FormatPcm, 8) => b => (b[0] - 128) / 128f,
            (FormatPcm, 16) => b => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768f,
            (FormatPcm, 24) => b => ((b[2] << 24) | (b[1] << 16) | (b[0] << 8)) / 2147483648f,
            (FormatPcm, 32) => b => BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648f,
            (FormatFloat, 32) => b => BinaryPrimitives.ReadSingleLittleEndian(b),
            (FormatFloat, 64) => b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
            _ => throw new InvalidDataException($"unsupported encoding (format {format}, {bits} bit); use PCM 8/16/24/32-bit or float 32/64-bit"),
        };
        var bytesPerSample = bits / 8;
        var frames = data.Length / (bytesPerSample * channels);
        var mono = new float[frames];
        for (var f = 0; f < frames; f++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++)
            {
                sum += sample(data.Slice(((f * channels) + c) * bytesPerSample, bytesPerSample));
            }

            mono[f] = sum / channels;
        }

        return mono;
    }
}
