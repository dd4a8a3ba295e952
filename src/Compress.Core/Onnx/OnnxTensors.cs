using System.Runtime.InteropServices;
using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Onnx;

/// <summary>
/// Converts between ONNX <see cref="TensorProto"/>s and TorchSharp tensors (CPU, contiguous). Reads
/// <c>raw_data</c> (little-endian) or the typed fields; external data must have been resolved into
/// <c>raw_data</c> by the model loader first. Every mismatch between the declared shape and the stored data is a
/// CMP2105 diagnostic.
/// </summary>
public static class OnnxTensors
{
    /// <summary>The TorchSharp element type for an ONNX data type, or null when unsupported.</summary>
    public static ScalarType? ToScalarType(int dataType) => (DataType)dataType switch
    {
        DataType.Float => ScalarType.Float32,
        DataType.Double => ScalarType.Float64,
        DataType.Float16 => ScalarType.Float16,
        DataType.Bfloat16 => ScalarType.BFloat16,
        DataType.Int64 => ScalarType.Int64,
        DataType.Int32 => ScalarType.Int32,
        DataType.Int16 => ScalarType.Int16,
        DataType.Int8 => ScalarType.Int8,
        DataType.Uint8 => ScalarType.Byte,
        DataType.Bool => ScalarType.Bool,
        _ => null,
    };

    /// <summary>The ONNX data type for a TorchSharp element type.</summary>
    public static DataType ToDataType(ScalarType type) => type switch
    {
        ScalarType.Float32 => DataType.Float,
        ScalarType.Float64 => DataType.Double,
        ScalarType.Float16 => DataType.Float16,
        ScalarType.BFloat16 => DataType.Bfloat16,
        ScalarType.Int64 => DataType.Int64,
        ScalarType.Int32 => DataType.Int32,
        ScalarType.Int16 => DataType.Int16,
        ScalarType.Int8 => DataType.Int8,
        ScalarType.Byte => DataType.Uint8,
        ScalarType.Bool => DataType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no ONNX equivalent"),
    };

    /// <summary>Bytes per element of an ONNX data type (0 when unsupported).</summary>
    public static int ElementSize(int dataType) => (DataType)dataType switch
    {
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        DataType.Double or DataType.Int64 or DataType.Uint64 => 8,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 2,
        DataType.Int8 or DataType.Uint8 or DataType.Bool => 1,
        _ => 0,
    };

    /// <summary>Number of elements a shape holds (1 for a scalar).</summary>
    public static long ElementCount(IEnumerable<long> dims) => dims.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>Creates a CPU tensor holding the proto's data. Throws <see cref="CompressException"/> (CMP2104/CMP2105).</summary>
    public static Tensor ToTorch(TensorProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var name = proto.Name ?? "";
        var type = ToScalarType(proto.DataType)
            ?? throw new CompressException(ModelMessages.UnsupportedDataType(name, proto.DataType, DataTypeName(proto.DataType)));
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, "its data is stored externally and was not loaded"));
        }

        var shape = proto.Dims.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"negative dimension in shape [{string.Join(",", shape)}]"));
        }

        var count = CheckedCount(shape, ElementSize(proto.DataType), name);
        var bytes = RawBytes(proto, type, count, name);
        var result = empty(shape, dtype: type);
        if (count > 0)
        {
            result.bytes = bytes;
        }

        return result;
    }

    /// <summary>
    /// The dense CPU tensor a <c>sparse_initializer</c> stands for: zeros of shape <c>dims</c> with <c>values</c> at
    /// <c>indices</c> (linear positions [NNZ], or coordinates [NNZ, rank]; any integer type). Throws
    /// <see cref="CompressException"/> (CMP2104/CMP2105) when values, indices and dims do not agree.
    /// </summary>
    public static Tensor ToTorch(SparseTensorProto sparse)
    {
        ArgumentNullException.ThrowIfNull(sparse);
        var name = sparse.Values?.Name ?? "";
        if (sparse.Values is null || sparse.Indices is null)
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, "a sparse tensor needs both values and indices"));
        }

        var shape = sparse.Dims.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"negative dimension in shape [{string.Join(",", shape)}]"));
        }

        var count = CheckedCount(shape, 1, name);
        using var scope = NewDisposeScope();
        var values = ToTorch(sparse.Values).flatten();
        var indices = ToTorch(sparse.Indices).to_type(ScalarType.Int64);
        var nnz = values.shape[0];
        if (indices.dim() == 2 && indices.shape[0] == nnz && indices.shape[1] == shape.Length)
        {
            var strides = new long[shape.Length];
            for (long i = shape.Length - 1, stride = 1; i >= 0; stride *= shape[i], i--)
            {
                strides[i] = stride;
            }

            indices = (indices * tensor(strides)).sum(1);
        }
        else if (indices.dim() != 1 || indices.shape[0] != nnz)
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"indices [{string.Join(",", indices.shape)}] do not fit {nnz} values of a rank-{shape.Length} tensor"));
        }

        if (nnz > 0 && (indices.min().item<long>() < 0 || indices.max().item<long>() >= count))
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"a sparse index lies outside shape [{string.Join(",", shape)}]"));
        }

        var dense = zeros(count, dtype: values.dtype);
        if (nnz > 0)
        {
            dense.index_put_(values, indices);
        }

        return dense.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>Writes a tensor into a new <see cref="TensorProto"/> (raw_data, little-endian).</summary>
    public static TensorProto FromTorch(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var cpu = tensor.detach().cpu().contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)ToDataType(cpu.dtype) };
        proto.Dims.AddRange(cpu.shape);
        proto.RawData = ByteString.CopyFrom(cpu.bytes);
        return proto;
    }

    /// <summary>
    /// The element count of <paramref name="shape"/>; a shape whose element or byte count overflows a long is
    /// CMP2105, not an <see cref="OverflowException"/> (a forged shape in an untrusted model; found by fuzzing).
    /// </summary>
    private static long CheckedCount(long[] shape, int elementSize, string name)
    {
        try
        {
            var count = ElementCount(shape);
            _ = checked(count * elementSize);
            return count;
        }
        catch (OverflowException)
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"shape [{string.Join(",", shape)}] holds more elements than any tensor can"));
        }
    }

    private static byte[] RawBytes(TensorProto proto, ScalarType type, long count, string name)
    {
        var size = ElementSize(proto.DataType);
        var expected = checked(count * size);
        if (proto.HasRawData)
        {
            if (proto.RawData.Length != expected)
            {
                throw new CompressException(ModelMessages.TensorDataMismatch(name, $"raw_data holds {proto.RawData.Length} bytes but shape [{string.Join(",", proto.Dims)}] of {(DataType)proto.DataType} needs {expected}"));
            }

            return proto.RawData.ToByteArray();
        }

        // Allocated only once the values present match the shape: a forged shape with no data behind it (dims
        // [2^31]) would otherwise allocate gigabytes or overflow (found by fuzzing).
        byte[] bytes = [];
        long stored;
        switch (type)
        {
            case ScalarType.Float32:
                stored = proto.FloatData.Count;
                if (stored == count)
                {
                    bytes = new byte[expected];
                    MemoryMarshal.AsBytes(proto.FloatData.ToArray().AsSpan()).CopyTo(bytes);
                }

                break;
            case ScalarType.Float64:
                stored = proto.DoubleData.Count;
                if (stored == count)
                {
                    bytes = new byte[expected];
                    MemoryMarshal.AsBytes(proto.DoubleData.ToArray().AsSpan()).CopyTo(bytes);
                }

                break;
            case ScalarType.Int64:
                stored = proto.Int64Data.Count;
                if (stored == count)
                {
                    bytes = new byte[expected];
                    MemoryMarshal.AsBytes(proto.Int64Data.ToArray().AsSpan()).CopyTo(bytes);
                }

                break;
            case ScalarType.Int32:
                stored = proto.Int32Data.Count;
                if (stored == count)
                {
                    bytes = new byte[expected];
                    MemoryMarshal.AsBytes(proto.Int32Data.ToArray().AsSpan()).CopyTo(bytes);
                }

                break;
            default:
                // int32_data carries INT16, INT8, UINT8, BOOL, FLOAT16 and BFLOAT16 (one element per int32).
                stored = proto.Int32Data.Count;
                if (stored == count)
                {
                    bytes = new byte[expected];
                    for (var i = 0; i < count; i++)
                    {
                        var value = proto.Int32Data[i];
                        if (size == 1)
                        {
                            bytes[i] = unchecked((byte)value);
                        }
                        else
                        {
                            BitConverter.TryWriteBytes(bytes.AsSpan(i * 2, 2), unchecked((ushort)value));
                        }
                    }
                }

                break;
        }

        if (stored != count)
        {
            throw new CompressException(ModelMessages.TensorDataMismatch(name, $"holds {stored} values but shape [{string.Join(",", proto.Dims)}] needs {count}"));
        }

        return bytes;
    }

    /// <summary>The ONNX name of a <see cref="TensorProto.Types.DataType"/> value, or "unknown".</summary>
    private static string DataTypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) ? ((TensorProto.Types.DataType)dataType).ToString() : "unknown";
}
