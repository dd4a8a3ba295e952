using System.Runtime.InteropServices;
using Compress.Onnx.Proto;

namespace Compress.Export;

/// <summary>Small helpers the exporters that rewrite a graph share.</summary>
internal static class GraphEdits
{
    /// <summary>A float32 initializer's values, from raw data or the typed field.</summary>
    public static float[] Floats(TensorProto tensor) =>
        tensor.HasRawData ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : [.. tensor.FloatData];

    /// <summary>A float32 initializer named <paramref name="name"/> holding <paramref name="values"/> as raw data, with <paramref name="like"/>'s doc string if any.</summary>
    public static TensorProto FloatTensor(string name, float[] values, IEnumerable<long> dims, TensorProto? like = null)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = Google.Protobuf.ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        if (like is { HasDocString: true })
        {
            t.DocString = like.DocString;
        }

        return t;
    }

    /// <summary><paramref name="wanted"/>, or with _1, _2, ... appended until no name in <paramref name="names"/> has it; the result is added to them.</summary>
    public static string Unique(HashSet<string> names, string wanted)
    {
        var name = wanted;
        for (var i = 1; !names.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }
}
