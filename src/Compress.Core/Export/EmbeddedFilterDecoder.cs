namespace Compress.Export;

// The class between the markers is also the decoder every generated accessor carries: Compress.MSBuild embeds this
// file and copies the marked text verbatim into CompressedModels.g.cs, so an app needs no Compress assembly at run
// time. Keep it self-contained: C# 7.3, netstandard2.0, fully qualified type names, no usings, no spans.
// <accessor-decoder>
/// <summary>
/// Undoes the <c>shuffle</c> filter of embedded models (see <c>docs/embedded-format.md</c>). Container: the bytes
/// <c>CMPF</c>, a version byte (1), a varint range count, per range a varint gap (bytes since the previous range's
/// end), a varint length and a code byte (low nibble: element width 1, 2, 4 or 8 bytes; 0x10: the elements are
/// integers stored as differences from the previous element), then the ONNX bytes with every range stored
/// byte-shuffled (byte b of element i at b·n + i). Decoding restores the exact ONNX bytes.
/// </summary>
internal static class EmbeddedFilterDecoder
{
    /// <summary>True when <paramref name="bytes"/> start with the container's magic (no ONNX model does).</summary>
    public static bool IsFiltered(byte[] bytes)
    {
        return bytes != null && bytes.Length >= 5 && bytes[0] == (byte)'C' && bytes[1] == (byte)'M' && bytes[2] == (byte)'P' && bytes[3] == (byte)'F';
    }

    /// <summary>The ONNX bytes the container holds. Throws <see cref="global::System.IO.InvalidDataException"/> when it is malformed.</summary>
    public static byte[] Decode(byte[] container)
    {
        if (!IsFiltered(container))
        {
            throw new global::System.IO.InvalidDataException("The embedded model is not a Compress filter container (no CMPF header).");
        }

        if (container[4] != 1)
        {
            throw new global::System.IO.InvalidDataException("The embedded model uses filter container version " + container[4] + "; this accessor reads version 1. Rebuild with the same Compress version.");
        }

        var position = 5;
        var count = ReadVarint(container, ref position);
        if (count > (container.Length - position) / 3)
        {
            throw new global::System.IO.InvalidDataException("The embedded model's filter header is truncated.");
        }

        var gaps = new long[count];
        var lengths = new long[count];
        var codes = new byte[count];
        for (long r = 0; r < count; r++)
        {
            gaps[r] = ReadVarint(container, ref position);
            lengths[r] = ReadVarint(container, ref position);
            if (position >= container.Length)
            {
                throw new global::System.IO.InvalidDataException("The embedded model's filter header is truncated.");
            }

            codes[r] = container[position++];
        }

        var payload = new byte[container.Length - position];
        global::System.Buffer.BlockCopy(container, position, payload, 0, payload.Length);
        long offset = 0;
        for (long r = 0; r < count; r++)
        {
            offset += gaps[r];
            var width = codes[r] & 0x0f;
            if ((width != 1 && width != 2 && width != 4 && width != 8) || (codes[r] & ~0x1f) != 0)
            {
                throw new global::System.IO.InvalidDataException("The embedded model's filter range " + r + " has unknown code " + codes[r] + ".");
            }

            if (offset + lengths[r] > payload.Length || lengths[r] % width != 0)
            {
                throw new global::System.IO.InvalidDataException("The embedded model's filter range " + r + " does not fit the payload.");
            }

            Unshuffle(payload, (int)offset, (int)lengths[r], width);
            if ((codes[r] & 0x10) != 0)
            {
                PrefixSum(payload, (int)offset, (int)lengths[r], width);
            }

            offset += lengths[r];
        }

        return payload;
    }

    private static void Unshuffle(byte[] data, int offset, int length, int width)
    {
        if (width == 1)
        {
            return;
        }

        var n = length / width;
        var copy = new byte[length];
        global::System.Buffer.BlockCopy(data, offset, copy, 0, length);
        for (var b = 0; b < width; b++)
        {
            for (var i = 0; i < n; i++)
            {
                data[offset + i * width + b] = copy[b * n + i];
            }
        }
    }

    private static void PrefixSum(byte[] data, int offset, int length, int width)
    {
        ulong previous = 0;
        var mask = width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
        for (var at = offset; at < offset + length; at += width)
        {
            ulong value = 0;
            for (var b = 0; b < width; b++)
            {
                value |= (ulong)data[at + b] << (8 * b);
            }

            previous = (previous + value) & mask;
            for (var b = 0; b < width; b++)
            {
                data[at + b] = (byte)(previous >> (8 * b));
            }
        }
    }

    private static long ReadVarint(byte[] data, ref int position)
    {
        long value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new global::System.IO.InvalidDataException("The embedded model's filter header is truncated.");
            }

            var b = data[position++];
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                if (value > int.MaxValue)
                {
                    break;
                }

                return value;
            }
        }

        throw new global::System.IO.InvalidDataException("The embedded model's filter header has an invalid number.");
    }
}
// </accessor-decoder>
