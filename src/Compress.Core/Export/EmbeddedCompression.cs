using System.IO.Compression;

namespace Compress.Export;

/// <summary>How the bytes that get embedded into the app are compressed (the generated accessor undoes it).</summary>
public enum EmbeddedCompression
{
    None,
    Gzip,
    Brotli,
}

/// <summary>
/// Deterministic gzip/Brotli of model bytes (fixed level, no timestamps or file names), optionally after an
/// <see cref="EmbeddedFilter"/>.
/// </summary>
public static class EmbeddedCompressor
{
    /// <summary>
    /// Compresses <paramref name="bytes"/> (a serialized ModelProto when <paramref name="filter"/> is not
    /// <see cref="EmbeddedFilter.None"/>). A filter needs a compression: it only helps the compressor.
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> bytes, EmbeddedCompression compression, EmbeddedFilter filter = EmbeddedFilter.None)
    {
        if (compression == EmbeddedCompression.None)
        {
            if (filter != EmbeddedFilter.None)
            {
                throw new ArgumentException("a filter needs gzip or brotli compression", nameof(filter));
            }

            return bytes.ToArray();
        }

        if (filter == EmbeddedFilter.Shuffle)
        {
            return Compress(EmbeddedFilterEncoder.Encode(bytes), compression);
        }

        using var output = new MemoryStream();
        using (Stream stream = compression == EmbeddedCompression.Gzip
            ? new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true)
            : new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Decompresses what <see cref="Compress"/> produced and undoes its filter (recognised by its header), giving the
    /// ONNX bytes. Throws <see cref="InvalidDataException"/> for bytes that are not what it wrote.
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> bytes, EmbeddedCompression compression)
    {
        if (compression == EmbeddedCompression.None)
        {
            return bytes.ToArray();
        }

        using var input = new MemoryStream(bytes.ToArray());
        using Stream stream = compression == EmbeddedCompression.Gzip
            ? new GZipStream(input, CompressionMode.Decompress)
            : new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        var plain = output.ToArray();
        return EmbeddedFilterDecoder.IsFiltered(plain) ? EmbeddedFilterDecoder.Decode(plain) : plain;
    }
}
