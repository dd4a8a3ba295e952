using System.Buffers.Binary;
using Compress.Diagnostics;

namespace Compress.Audio;

/// <summary>
/// Decodes RIFF/WAVE files: PCM 8 (unsigned), 16, 24, 32-bit, IEEE float 32/64-bit and G.711 µ-law/A-law, plain or
/// WAVE_FORMAT_EXTENSIBLE, any channel count (averaged to mono), any sample rate (kept; resample with
/// <see cref="AudioClip.ResampleTo"/>). Integers are scaled to [-1, 1) by 2^(bits-1), G.711 by 2^15 after the standard
/// expansion to 16-bit linear. Unknown chunks are skipped. Every size is bounded before anything is allocated:
/// the <c>fmt </c> chunk (≤ 1 KiB), channels, rate, and the clip's duration (<see cref="MaxSeconds"/>, CMP3007).
/// Every problem is a <see cref="CompressException"/> with a CMP3001–CMP3007 diagnostic naming the file.
/// </summary>
public static class WavReader
{
    /// <summary>The largest sample rate accepted, in Hz.</summary>
    public const int MaxSampleRate = 1_000_000;

    /// <summary>The largest channel count accepted.</summary>
    public const int MaxChannels = 1024;

    /// <summary>
    /// The longest clip accepted, in seconds (10 minutes: far beyond a keyword or phrase, short enough that a header
    /// claiming more cannot make the reader allocate gigabytes).
    /// </summary>
    public const int MaxSeconds = 600;

    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>Reads the WAVE file at <paramref name="path"/>.</summary>
    public static AudioClip Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompressException(DataMessages.Unreadable(path, e.Message), e);
        }

        using (stream)
        {
            return Read(stream, path);
        }
    }

    /// <summary>Reads a WAVE file from <paramref name="stream"/> (need not be seekable); <paramref name="file"/> names it in diagnostics.</summary>
    public static AudioClip Read(Stream stream, string file)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            return ReadCore(stream, file, decode: true).Clip!;
        }
        catch (IOException e)
        {
            throw new CompressException(DataMessages.Unreadable(file, e.Message), e);
        }
    }

    /// <summary>
    /// Checks the file's headers and chunk sizes without decoding the samples (what a dataset loader does for every
    /// file); throws like <see cref="Read(string)"/>. Returns the format and the number of frames.
    /// </summary>
    public static (WavFormat Format, long Frames) Inspect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var (_, format, frames) = ReadCore(stream, path, decode: false);
            return (format, frames);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompressException(DataMessages.Unreadable(path, e.Message), e);
        }
    }

    private static (AudioClip? Clip, WavFormat Format, long Frames) ReadCore(Stream stream, string file, bool decode)
    {
        Span<byte> header = stackalloc byte[12];
        if (ReadFull(stream, header) < 12
            || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WAVE"u8))
        {
            throw new CompressException(DataMessages.NotWave(file, "it does not start with RIFF....WAVE"));
        }

        WavFormat? format = null;
        Span<byte> chunk = stackalloc byte[8];
        while (true)
        {
            var got = ReadFull(stream, chunk);
            if (got == 0)
            {
                throw new CompressException(DataMessages.Truncated(file, format is null ? "no 'fmt ' chunk" : "no 'data' chunk"));
            }

            if (got < 8)
            {
                throw new CompressException(DataMessages.Truncated(file, "a chunk header is cut off"));
            }

            var id = System.Text.Encoding.ASCII.GetString(chunk[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (size is < 16 or > 1024)
                {
                    throw new CompressException(DataMessages.AbsurdHeader(file, $"'fmt ' chunk of {size} bytes"));
                }

                var bytes = new byte[size + (size & 1)];
                if (ReadFull(stream, bytes) < size)
                {
                    throw new CompressException(DataMessages.Truncated(file, $"the 'fmt ' chunk declares {size} bytes"));
                }

                format = ParseFormat(bytes.AsSpan(0, (int)size), file);
            }
            else if (id == "data")
            {
                if (format is null)
                {
                    throw new CompressException(DataMessages.Truncated(file, "the 'data' chunk comes before the 'fmt ' chunk"));
                }

                return ReadData(stream, file, format, size, decode);
            }
            else
            {
                Skip(stream, file, id, size + (size & 1));
            }
        }
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> f, string file)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(f[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
        if (tag == FormatExtensible)
        {
            if (f.Length < 40)
            {
                throw new CompressException(DataMessages.Truncated(file, $"WAVE_FORMAT_EXTENSIBLE needs a 40-byte 'fmt ' chunk, this one has {f.Length}"));
            }

            // The sub-format GUID's first two bytes are the format tag; the rest is the fixed KSDATAFORMAT suffix.
            tag = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]);
        }

        var encoding = tag switch
        {
            FormatPcm => WavEncoding.Pcm,
            FormatFloat => WavEncoding.Float,
            FormatMuLaw => WavEncoding.MuLaw,
            FormatALaw => WavEncoding.ALaw,
            _ => throw new CompressException(DataMessages.UnsupportedEncoding(file, $"format tag 0x{tag:X4} (compressed)")),
        };
        var bitsFit = encoding switch
        {
            WavEncoding.Pcm => bits is 8 or 16 or 24 or 32,
            WavEncoding.Float => bits is 32 or 64,
            WavEncoding.MuLaw or WavEncoding.ALaw => bits == 8,
        };
        if (!bitsFit)
        {
            throw new CompressException(DataMessages.UnsupportedEncoding(file, $"{bits}-bit {encoding}"));
        }

        if (channels is < 1 or > MaxChannels)
        {
            throw new CompressException(DataMessages.AbsurdHeader(file, $"{channels} channels"));
        }

        if (rate is < 1 or > MaxSampleRate)
        {
            throw new CompressException(DataMessages.AbsurdHeader(file, $"sample rate {rate} Hz"));
        }

        var format = new WavFormat(encoding, channels, (int)rate, bits);
        if (blockAlign != format.BlockAlign)
        {
            throw new CompressException(DataMessages.AbsurdHeader(file, $"block align {blockAlign} for {channels} channel(s) of {bits} bits (expected {format.BlockAlign})"));
        }

        return format;
    }

    private static (AudioClip? Clip, WavFormat Format, long Frames) ReadData(Stream stream, string file, WavFormat format, uint size, bool decode)
    {
        if (size == 0)
        {
            throw new CompressException(DataMessages.EmptyAudio(file));
        }

        if (stream.CanSeek && size > stream.Length - stream.Position)
        {
            throw new CompressException(DataMessages.Truncated(file, $"the 'data' chunk declares {size} bytes but {stream.Length - stream.Position} remain"));
        }

        var frames = size / (uint)format.BlockAlign;
        if (frames == 0)
        {
            throw new CompressException(DataMessages.EmptyAudio(file));
        }

        if (frames > (long)MaxSeconds * format.SampleRate)
        {
            throw new CompressException(DataMessages.TooLong(file, frames / (double)format.SampleRate, MaxSeconds));
        }

        if (!decode)
        {
            if (!stream.CanSeek)
            {
                throw new CompressException(DataMessages.Unreadable(file, "the stream cannot seek"));
            }

            return (null, format, frames);
        }

        // Grown as data arrives, so a header that lies to a non-seekable stream costs nothing it did not deliver.
        var samples = new float[Math.Min(frames, 1u << 20)];
        var bytesPerSample = format.BitsPerSample / 8;
        var framesPerBlock = Math.Max(1, (1 << 16) / format.BlockAlign);
        var buffer = new byte[framesPerBlock * format.BlockAlign];
        var scale = 1f / format.Channels;
        for (var done = 0; done < frames;)
        {
            var count = (int)Math.Min(framesPerBlock, frames - done);
            var want = count * format.BlockAlign;
            if (ReadFull(stream, buffer.AsSpan(0, want)) < want)
            {
                throw new CompressException(DataMessages.Truncated(file, $"the 'data' chunk declares {size} bytes but ends early"));
            }

            if (done + count > samples.Length)
            {
                Array.Resize(ref samples, (int)Math.Min(frames, Math.Max(2L * samples.Length, done + count)));
            }

            for (var i = 0; i < count; i++)
            {
                var frame = buffer.AsSpan(i * format.BlockAlign, format.BlockAlign);
                var sum = 0f;
                for (var c = 0; c < format.Channels; c++)
                {
                    sum += Decode(frame.Slice(c * bytesPerSample, bytesPerSample), format);
                }

                samples[done + i] = sum * scale;
            }

            done += count;
        }

        return (new AudioClip(samples, format.SampleRate), format, frames);
    }

    private static float Decode(ReadOnlySpan<byte> b, WavFormat format) => (format.Encoding, format.BitsPerSample) switch
    {
        (WavEncoding.Float, 32) => BinaryPrimitives.ReadSingleLittleEndian(b),
        (WavEncoding.Float, _) => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
        (WavEncoding.MuLaw, _) => MuLaw(b[0]) / 32768f,
        (WavEncoding.ALaw, _) => ALaw(b[0]) / 32768f,
        (WavEncoding.Pcm, 8) => (b[0] - 128) / 128f,
        (WavEncoding.Pcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768f,
        (WavEncoding.Pcm, 24) => ((b[0] << 8 | b[1] << 16 | b[2] << 24) >> 8) / 8388608f,
        (WavEncoding.Pcm, _) => (float)(BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648.0),
    };

    /// <summary>G.711 µ-law to 16-bit linear (ITU-T G.711; the complement, 3-bit exponent, 4-bit mantissa, bias 0x84).</summary>
    internal static int MuLaw(byte code)
    {
        var u = ~code & 0xFF;
        var magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07);
        return (u & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84;
    }

    /// <summary>G.711 A-law to 16-bit linear (ITU-T G.711; even bits inverted, sign bit set means positive).</summary>
    internal static int ALaw(byte code)
    {
        var a = code ^ 0x55;
        var exponent = (a >> 4) & 0x07;
        var mantissa = a & 0x0F;
        var magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (a & 0x80) != 0 ? magnitude : -magnitude;
    }

    private static void Skip(Stream stream, string file, string id, long bytes)
    {
        if (stream.CanSeek)
        {
            if (bytes > stream.Length - stream.Position)
            {
                throw new CompressException(DataMessages.Truncated(file, $"the '{id.Trim()}' chunk declares {bytes} bytes but {stream.Length - stream.Position} remain"));
            }

            stream.Seek(bytes, SeekOrigin.Current);
            return;
        }

        var buffer = new byte[(int)Math.Min(bytes, 1 << 16)];
        while (bytes > 0)
        {
            var got = stream.Read(buffer, 0, (int)Math.Min(bytes, buffer.Length));
            if (got <= 0)
            {
                throw new CompressException(DataMessages.Truncated(file, $"the '{id.Trim()}' chunk ends early"));
            }

            bytes -= got;
        }
    }

    private static int ReadFull(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var got = stream.Read(buffer[total..]);
            if (got <= 0)
            {
                break;
            }

            total += got;
        }

        return total;
    }
}
