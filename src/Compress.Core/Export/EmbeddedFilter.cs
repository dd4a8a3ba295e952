namespace Compress.Export;

/// <summary>
/// A reversible transform of the ONNX bytes before <see cref="EmbeddedCompression"/>: it changes no byte of the
/// model the app loads, only how well the compressor sees its structure (see <c>docs/embedded-format.md</c>).
/// </summary>
public enum EmbeddedFilter
{
    /// <summary>The compressor sees the ONNX bytes as they are.</summary>
    None,

    /// <summary>
    /// Tensor bytes are byte-shuffled (all first bytes of the elements, then all second bytes, ...) and sparse
    /// indices delta-coded, so exponents, high bytes and index gaps form long runs the entropy coder shrinks.
    /// </summary>
    Shuffle,
}

/// <summary>
/// Writes the <see cref="EmbeddedFilter.Shuffle"/> container that <see cref="EmbeddedFilterDecoder"/> (and every
/// generated accessor) reads. It walks the protobuf wire format of the serialized model for the <c>raw_data</c> of
/// every TensorProto — initializers, sparse initializers' values and indices, Constant and other tensor attributes,
/// in subgraphs too — and transforms those byte ranges in place; every other byte is kept. Deterministic.
/// </summary>
public static class EmbeddedFilterEncoder
{
    private const int DeltaFlag = 0x10;

    /// <summary>
    /// The container for <paramref name="onnx"/> (a serialized ModelProto). Throws <see cref="InvalidDataException"/>
    /// when the bytes are not protobuf wire format.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> onnx)
    {
        var payload = onnx.ToArray();
        var ranges = new List<Range>();
        new WireReader(payload).Walk(0, payload.Length, Message.Model, ranges); // finds every range before any is changed
        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));

        using var output = new MemoryStream();
        output.Write("CMPF"u8);
        output.WriteByte(1);
        WriteVarint(output, ranges.Count);
        var end = 0;
        foreach (var r in ranges)
        {
            WriteVarint(output, r.Offset - end);
            WriteVarint(output, r.Length);
            output.WriteByte((byte)(r.Width | (r.Delta ? DeltaFlag : 0)));
            if (r.Delta)
            {
                Difference(payload.AsSpan(r.Offset, r.Length), r.Width);
            }

            Shuffle(payload.AsSpan(r.Offset, r.Length), r.Width);
            end = r.Offset + r.Length;
        }

        output.Write(payload);
        return output.ToArray();
    }

    private static void Difference(Span<byte> data, int width)
    {
        var mask = width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
        ulong previous = 0;
        for (var at = 0; at < data.Length; at += width)
        {
            ulong value = 0;
            for (var b = 0; b < width; b++)
            {
                value |= (ulong)data[at + b] << (8 * b);
            }

            var delta = (value - previous) & mask;
            previous = value;
            for (var b = 0; b < width; b++)
            {
                data[at + b] = (byte)(delta >> (8 * b));
            }
        }
    }

    private static void Shuffle(Span<byte> data, int width)
    {
        if (width == 1)
        {
            return;
        }

        var n = data.Length / width;
        var copy = data.ToArray();
        for (var i = 0; i < n; i++)
        {
            for (var b = 0; b < width; b++)
            {
                data[b * n + i] = copy[i * width + b];
            }
        }
    }

    private static void WriteVarint(Stream output, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            output.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        output.WriteByte((byte)v);
    }

    private readonly record struct Range(int Offset, int Length, int Width, bool Delta);

    private enum Message
    {
        Model,
        Graph,
        Node,
        Attribute,
        Tensor,
        SparseTensor,
        Function,
    }

    /// <summary>The protobuf wire format, only as far as the messages that can hold tensors.</summary>
    private sealed class WireReader(byte[] bytes)
    {
        public void Walk(int start, int end, Message message, List<Range> ranges, bool indices = false)
        {
            var position = start;
            int? dataType = null;
            (int Offset, int Length)? raw = null;
            while (position < end)
            {
                var tag = ReadVarint(ref position, end);
                var field = (int)(tag >> 3);
                var wire = (int)(tag & 7);
                switch (wire)
                {
                    case 0:
                        var value = ReadVarint(ref position, end);
                        if (message == Message.Tensor && field == 2)
                        {
                            dataType = (int)value;
                        }

                        break;
                    case 1: position = Skip(position, 8, end); break;
                    case 5: position = Skip(position, 4, end); break;
                    case 2:
                        var length = (int)ReadVarint(ref position, end);
                        var body = position;
                        position = Skip(position, length, end);
                        if (message == Message.Tensor && field == 9)
                        {
                            raw = (body, length);
                        }
                        else if (Child(message, field) is { } child)
                        {
                            Walk(body, body + length, child.Message, ranges, child.Indices);
                        }

                        break;
                    default:
                        throw new InvalidDataException($"unexpected protobuf wire type {wire} at byte {position}: not a serialized ModelProto");
                }
            }

            if (message == Message.Tensor && raw is { Length: > 0 } r && Width(dataType) is { } width && r.Length % width == 0)
            {
                var delta = indices && IsInteger(dataType!.Value);
                if (width > 1 || delta)
                {
                    ranges.Add(new Range(r.Offset, r.Length, width, delta));
                }
            }
        }

        // Field numbers from onnx.proto: which length-delimited fields are messages that may contain tensors.
        private static (Message Message, bool Indices)? Child(Message parent, int field) => (parent, field) switch
        {
            (Message.Model, 7) => (Message.Graph, false),
            (Message.Model, 25) => (Message.Function, false),
            (Message.Graph, 1) => (Message.Node, false),
            (Message.Graph, 5) => (Message.Tensor, false),
            (Message.Graph, 15) => (Message.SparseTensor, false),
            (Message.Function, 7) => (Message.Node, false),
            (Message.Node, 5) => (Message.Attribute, false),
            (Message.Attribute, 5 or 10) => (Message.Tensor, false),
            (Message.Attribute, 6 or 11) => (Message.Graph, false),
            (Message.Attribute, 22 or 23) => (Message.SparseTensor, false),
            (Message.SparseTensor, 1) => (Message.Tensor, false),
            (Message.SparseTensor, 2) => (Message.Tensor, true),
            _ => null,
        };

        // TensorProto.DataType -> element width in bytes; null for types whose raw_data is not fixed-width elements.
        private static int? Width(int? dataType) => dataType switch
        {
            2 or 3 => 1,            // uint8, int8
            4 or 5 or 10 or 16 => 2, // uint16, int16, float16, bfloat16
            1 or 6 or 12 => 4,      // float, int32, uint32
            7 or 11 or 13 => 8,     // int64, double, uint64
            _ => null,
        };

        private static bool IsInteger(int dataType) => dataType is 2 or 3 or 4 or 5 or 6 or 7 or 12 or 13;

        private ulong ReadVarint(ref int position, int end)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (position >= end)
                {
                    break;
                }

                var b = bytes[position++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException($"truncated protobuf varint at byte {position}: not a serialized ModelProto");
        }

        private static int Skip(int position, int count, int end) =>
            count >= 0 && position + count <= end
                ? position + count
                : throw new InvalidDataException($"protobuf field at byte {position} runs past its message: not a serialized ModelProto");
    }
}
