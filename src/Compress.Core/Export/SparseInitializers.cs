using System.Runtime.InteropServices;
using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Export;

/// <summary>How zeros of exported weights are stored.</summary>
public enum StorageMode
{
    /// <summary>Float initializers that get smaller go to <c>sparse_initializer</c> with the narrowest linear index type ONNX Runtime accepts (int16, int32, else int64).</summary>
    Sparse,

    /// <summary>Like <see cref="Sparse"/> but always with int64 indices, which the ONNX checker requires.</summary>
    SparseInt64,

    /// <summary>Zeros stay inline in dense initializers.</summary>
    Dense,
}

/// <summary>
/// Moves float32 initializers, and int8 initializers of rank ≥ 2 (quantized weights, <see cref="Int8WeightQuantizer"/>),
/// into <c>sparse_initializer</c> (values = the non-zeros in row-major order, indices = their linear positions) when
/// that makes them smaller. ONNX Runtime 1.31 densifies sparse initializers at load, so this shrinks files, not latency.
/// </summary>
public static class SparseInitializers
{
    /// <summary>Returns a copy of <paramref name="model"/> stored as <paramref name="mode"/> says.</summary>
    public static ModelProto Apply(ModelProto model, StorageMode mode)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = model.Clone();
        if (mode == StorageMode.Dense)
        {
            return result;
        }

        var graph = result.Graph;
        for (var i = 0; i < graph.Initializer.Count;)
        {
            var tensor = graph.Initializer[i];
            var candidate = tensor.DataType == (int)DataType.Float || (tensor.DataType == (int)DataType.Int8 && tensor.Dims.Count >= 2 && tensor.HasRawData);
            if (candidate && TryMakeSparse(tensor, mode, out var sparse))
            {
                graph.Initializer.RemoveAt(i);
                graph.SparseInitializer.Add(sparse);
            }
            else
            {
                i++;
            }
        }

        return result;
    }

    /// <summary>The index type <see cref="StorageMode.Sparse"/> uses for a tensor of <paramref name="elements"/> elements.</summary>
    public static DataType IndexType(long elements, StorageMode mode) =>
        mode == StorageMode.SparseInt64 ? DataType.Int64
        : elements - 1 <= short.MaxValue ? DataType.Int16
        : elements - 1 <= int.MaxValue ? DataType.Int32
        : DataType.Int64;

    private static bool TryMakeSparse(TensorProto tensor, StorageMode mode, out SparseTensorProto sparse)
    {
        sparse = null!;
        var isFloat = tensor.DataType == (int)DataType.Float;
        var size = isFloat ? 4 : 1;
        var bytes = tensor.HasRawData ? tensor.RawData.ToByteArray() : MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).ToArray();
        var count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        if (bytes.Length != count * size || count == 0)
        {
            return false;
        }

        // Both +0.0 and -0.0 are dropped (densifying gives +0.0, which computes identically).
        bool IsZero(long i) => isFloat ? BitConverter.ToSingle(bytes, (int)(i * 4)) == 0f : bytes[i] == 0;
        var nonZero = 0;
        for (long i = 0; i < count; i++)
        {
            nonZero += IsZero(i) ? 0 : 1;
        }

        var indexType = IndexType(count, mode);
        var indexSize = indexType switch { DataType.Int16 => 2, DataType.Int32 => 4, _ => 8 };
        if ((long)nonZero * (size + indexSize) >= count * size)
        {
            return false;
        }

        var kept = new byte[nonZero * size];
        var indices = new byte[nonZero * indexSize];
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            if (IsZero(i))
            {
                continue;
            }

            bytes.AsSpan(i * size, size).CopyTo(kept.AsSpan(k * size, size));
            var slot = indices.AsSpan(k * indexSize, indexSize);
            switch (indexType)
            {
                case DataType.Int16: BitConverter.TryWriteBytes(slot, (short)i); break;
                case DataType.Int32: BitConverter.TryWriteBytes(slot, i); break;
                default: BitConverter.TryWriteBytes(slot, (long)i); break;
            }

            k++;
        }

        var valueTensor = new TensorProto { Name = tensor.Name, DataType = tensor.DataType, RawData = ByteString.CopyFrom(kept) };
        valueTensor.Dims.Add(nonZero);
        var indexTensor = new TensorProto { Name = tensor.Name + "_indices", DataType = (int)indexType, RawData = ByteString.CopyFrom(indices) };
        indexTensor.Dims.Add(nonZero);
        sparse = new SparseTensorProto { Values = valueTensor, Indices = indexTensor };
        sparse.Dims.AddRange(tensor.Dims);
        if (tensor.HasDocString)
        {
            valueTensor.DocString = tensor.DocString;
        }

        return true;
    }
}
