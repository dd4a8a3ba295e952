using System.Buffers.Binary;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Onnx;

/// <summary>Statistics read straight from stored tensors, without the native runtime.</summary>
internal static class TensorStatistics
{
    /// <summary>
    /// How many elements of a float tensor (float32/float16/bfloat16/double; raw_data or typed field) are zero
    /// (±0), or null for other types or data not stored inline.
    /// </summary>
    public static long? CountZeros(TensorProto tensor)
    {
        var type = (DataType)tensor.DataType;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return null;
        }

        if (tensor.HasRawData)
        {
            var raw = tensor.RawData.Span;
            long zeros = 0;
            switch (type)
            {
                case DataType.Float:
                    for (var i = 0; i + 4 <= raw.Length; i += 4)
                    {
                        zeros += (BinaryPrimitives.ReadUInt32LittleEndian(raw[i..]) & 0x7FFF_FFFF) == 0 ? 1 : 0;
                    }

                    return zeros;
                case DataType.Double:
                    for (var i = 0; i + 8 <= raw.Length; i += 8)
                    {
                        zeros += (BinaryPrimitives.ReadUInt64LittleEndian(raw[i..]) & 0x7FFF_FFFF_FFFF_FFFF) == 0 ? 1 : 0;
                    }

                    return zeros;
                case DataType.Float16 or DataType.Bfloat16:
                    for (var i = 0; i + 2 <= raw.Length; i += 2)
                    {
                        zeros += (BinaryPrimitives.ReadUInt16LittleEndian(raw[i..]) & 0x7FFF) == 0 ? 1 : 0;
                    }

                    return zeros;
                case DataType.Int8 or DataType.Uint8:
                    foreach (var b in raw)
                    {
                        zeros += b == 0 ? 1 : 0;
                    }

                    return zeros;
                default:
                    return null;
            }
        }

        return type switch
        {
            DataType.Float => tensor.FloatData.LongCount(v => v == 0),
            DataType.Double => tensor.DoubleData.LongCount(v => v == 0),
            DataType.Float16 or DataType.Bfloat16 => tensor.Int32Data.LongCount(v => (v & 0x7FFF) == 0),
            DataType.Int8 or DataType.Uint8 => tensor.Int32Data.LongCount(v => v == 0),
            _ => null,
        };
    }

    /// <summary>Bytes the tensor's data takes as stored (raw_data, or element count × element size for typed fields).</summary>
    public static long StoredBytes(TensorProto tensor) =>
        tensor.HasRawData ? tensor.RawData.Length : SafeCount(tensor.Dims) * OnnxTensors.ElementSize(tensor.DataType);

    /// <summary>The element count of a shape, or 0 when it is negative or overflows (malformed models are still described).</summary>
    public static long SafeCount(IEnumerable<long> dims)
    {
        try
        {
            var list = dims.ToList();
            return list.Any(d => d < 0) ? 0 : OnnxTensors.ElementCount(list);
        }
        catch (OverflowException)
        {
            return 0;
        }
    }
}
