using System.IO.Compression;

namespace Compress.Export;

/// <summary>How the bytes that get embedded into the app are compressed (the generated accessor undoes it).</summary>
public enum EmbeddedCompression
{
    None,
    Gzip,
    Brotli,
}

/// <summary>Deterministic gzip/Brotli of model bytes (fixed level, no timestamps or file names).</summary>
public static class EmbeddedCompressor
{
    /// <summary>Compresses <paramref name="bytes"/>.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> bytes, EmbeddedCompression compression)
    {
        if (compression == EmbeddedCompression.None)
        {
            return bytes.ToArray();
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

    /// <summary>Decompresses what <see cref="Compress"/> produced.</summary>
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
        return output.ToArray();
    }
}
