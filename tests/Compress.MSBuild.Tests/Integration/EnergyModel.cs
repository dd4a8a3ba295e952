using System.Text;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// A tiny real ONNX classifier for the sample app's smoke test, encoded by hand (protobuf wire format) so the
/// test project needs neither Compress.Core nor the onnx package. Input <c>pcm</c> [N, 16000] → mean energy of
/// each half second → Gemm → <c>logits</c> [N, 3] over labels <see cref="Labels"/>: loud first half = "on",
/// loud second half = "off", quiet = "_silence_".
/// </summary>
internal static class EnergyModel
{
    public static readonly string[] Labels = { "on", "off", "_silence_" };

    public static byte[] Create()
    {
        var graph = new Proto()
            .Message(1, Node("Reshape", new[] { "pcm", "shape" }, "halves"))
            .Message(1, Node("Mul", new[] { "halves", "halves" }, "squares"))
            .Message(1, Node("ReduceMean", new[] { "squares" }, "energy", new Proto().String(1, "axes").Int64s(8, 2).Varint(20, 7), new Proto().String(1, "keepdims").Varint(3, 0).Varint(20, 2)))
            .Message(1, Node("Gemm", new[] { "energy", "w", "bias" }, "logits"))
            .String(2, "energy")
            .Message(5, new Proto().Int64s(1, 3).Varint(2, 7).Int64s(7, 0, 2, 8000).String(8, "shape"))
            .Message(5, new Proto().Int64s(1, 2, 3).Varint(2, 1).Floats(4, 400, -400, 0, -400, 400, 0).String(8, "w"))
            .Message(5, new Proto().Int64s(1, 3).Varint(2, 1).Floats(4, 0, 0, 2).String(8, "bias"))
            .Message(11, ValueInfo("pcm", 16000))
            .Message(12, ValueInfo("logits", 3));
        return new Proto().Varint(1, 8).Message(7, graph).Message(8, new Proto().String(1, "").Varint(2, 17)).ToArray();
    }

    private static Proto Node(string op, string[] inputs, string output, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, op + "_" + output).String(4, op);
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute);
        }

        return node;
    }

    private static Proto ValueInfo(string name, long size)
    {
        var shape = new Proto().Message(1, new Proto().String(2, "N")).Message(1, new Proto().Varint(1, (ulong)size));
        return new Proto().String(1, name).Message(2, new Proto().Message(1, new Proto().Varint(1, 1).Message(2, shape)));
    }

    /// <summary>A protobuf message under construction (fields appended in call order).</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public Proto Int64s(int field, params long[] values)
        {
            var packed = new Proto();
            foreach (var v in values)
            {
                packed.Raw((ulong)v);
            }

            return Bytes(field, packed.ToArray());
        }

        public Proto Floats(int field, params float[] values) =>
            Bytes(field, values.SelectMany(BitConverter.GetBytes).ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private Proto Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        private void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.WriteByte((byte)value);
        }
    }
}
