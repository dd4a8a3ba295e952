using Compress.Diagnostics;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Onnx;

/// <summary>
/// Checks that each initializer (of the graph and its sub-graphs) stores exactly shape × type worth of data:
/// <c>raw_data</c> bytes = elements × element size, or the matching typed field holds one value per element
/// (two for complex types). Packed 4-bit types are not checked.
/// </summary>
internal static class InitializerCheck
{
    /// <summary>One CMP2005 per initializer that does not fit, in file order (sub-graphs after their parent).</summary>
    public static IReadOnlyList<Diagnostic> Check(GraphProto graph, string? file)
    {
        var problems = new List<Diagnostic>();
        Visit(graph);
        return problems;

        void Visit(GraphProto g)
        {
            foreach (var tensor in g.Initializer)
            {
                if (CheckTensor(tensor, file) is { } problem)
                {
                    problems.Add(problem);
                }
            }

            foreach (var sub in g.Node.SelectMany(n => n.Attribute).SelectMany(a => a.Graphs.Prepend(a.G)).Where(s => s is not null))
            {
                Visit(sub);
            }
        }
    }

    private static Diagnostic? CheckTensor(TensorProto tensor, string? file)
    {
        var name = tensor.Name ?? "";
        var shape = $"[{string.Join(",", tensor.Dims)}]";
        var type = Enum.IsDefined(typeof(DataType), tensor.DataType) ? ((DataType)tensor.DataType).ToString() : $"type {tensor.DataType}";
        if (tensor.Dims.Any(d => d < 0))
        {
            return Error($"has a negative dimension in shape {shape}");
        }

        long count;
        try
        {
            count = OnnxTensors.ElementCount(tensor.Dims);
        }
        catch (OverflowException)
        {
            return Error($"has shape {shape}, whose element count overflows");
        }

        if (tensor.HasRawData)
        {
            var size = ElementSize((DataType)tensor.DataType);
            if (size > 0 && (count > long.MaxValue / size || tensor.RawData.Length != count * size))
            {
                return Error($"holds {tensor.RawData.Length} bytes of raw_data but shape {shape} of {type} needs {count} × {size} = {count * size}");
            }

            return null;
        }

        var (stored, perElement, field) = (DataType)tensor.DataType switch
        {
            DataType.Float => (tensor.FloatData.Count, 1, "float_data"),
            DataType.Complex64 => (tensor.FloatData.Count, 2, "float_data"),
            DataType.Double => (tensor.DoubleData.Count, 1, "double_data"),
            DataType.Complex128 => (tensor.DoubleData.Count, 2, "double_data"),
            DataType.Int64 => (tensor.Int64Data.Count, 1, "int64_data"),
            DataType.Uint32 or DataType.Uint64 => (tensor.Uint64Data.Count, 1, "uint64_data"),
            DataType.String => (tensor.StringData.Count, 1, "string_data"),
            DataType.Int32 or DataType.Int16 or DataType.Int8 or DataType.Uint16 or DataType.Uint8 or DataType.Bool
                or DataType.Float16 or DataType.Bfloat16 or DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz
                or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz => (tensor.Int32Data.Count, 1, "int32_data"),
            _ => (-1, 1, ""),
        };
        return stored >= 0 && stored != count * perElement
            ? Error($"holds {stored} values in {field} but shape {shape} of {type} needs {count * perElement}")
            : null;

        Diagnostic Error(string detail) => ModelMessages.InitializerSizeMismatch(file, name, detail);
    }

    private static long ElementSize(DataType type) => type switch
    {
        DataType.Complex128 => 16,
        DataType.Complex64 => 8,
        DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz => 1,
        DataType.String => 0,
        _ => OnnxTensors.ElementSize((int)type),
    };
}
