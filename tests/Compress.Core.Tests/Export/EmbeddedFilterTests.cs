using Compress.Export;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Export;

public sealed class EmbeddedFilterTests
{
    [Theory]
    [InlineData(StorageMode.Sparse)]
    [InlineData(StorageMode.SparseInt64)]
    [InlineData(StorageMode.Dense)]
    public void Shuffle_RoundTripsEveryByte_AndIsDeterministic(StorageMode storage)
    {
        var bytes = SparseInitializers.Apply(SparseStorageTests.SparseMlp(), storage).ToByteArray();

        var container = EmbeddedFilterEncoder.Encode(bytes);

        Assert.Equal(container, EmbeddedFilterEncoder.Encode(bytes));
        Assert.True(EmbeddedFilterDecoder.IsFiltered(container));
        Assert.Equal(bytes, EmbeddedFilterDecoder.Decode(container));
    }

    [Fact]
    public void Shuffle_FiltersEveryTensorRange_WithDeltasOnlyForSparseIndices()
    {
        var model = SparseInitializers.Apply(SparseStorageTests.SparseMlp(), StorageMode.Sparse);
        var bytes = model.ToByteArray();

        var ranges = Header(EmbeddedFilterEncoder.Encode(bytes)).Ranges;

        // b1, b2 (float), w1 and w2 values (float) and indices (int16, delta-coded).
        Assert.Equal(6, ranges.Count);
        Assert.Equal(4, ranges.Count(r => r.Code == 4));
        Assert.Equal(2, ranges.Count(r => r.Code == (0x10 | 2)));
        var expectedLengths = model.Graph.Initializer.Select(t => t.RawData.Length)
            .Concat(model.Graph.SparseInitializer.SelectMany(s => new[] { s.Values.RawData.Length, s.Indices.RawData.Length }))
            .Order();
        Assert.Equal(expectedLengths, ranges.Select(r => r.Length).Order());
    }

    [Fact]
    public void Shuffle_StoresIndexDifferencesByteShuffled()
    {
        var indices = new short[] { 3, 5, 9, 300 };
        var raw = indices.SelectMany(BitConverter.GetBytes).ToArray();
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.Graph.SparseInitializer.Add(new SparseTensorProto
        {
            Values = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 4 }, RawData = ByteString.CopyFrom(new byte[16]) },
            Indices = new TensorProto { Name = "w_indices", DataType = (int)DataType.Int16, Dims = { 4 }, RawData = ByteString.CopyFrom(raw) },
            Dims = { 400 },
        });
        var bytes = model.ToByteArray();

        var container = EmbeddedFilterEncoder.Encode(bytes);

        var (payloadStart, ranges) = Header(container);
        var indexRange = Assert.Single(ranges, r => r.Code == (0x10 | 2));
        // Differences 3, 2, 4, 291 (= 0x0123): low bytes first, then high bytes.
        Assert.Equal(new byte[] { 3, 2, 4, 0x23, 0, 0, 0, 0x01 }, container.AsSpan(payloadStart + indexRange.Offset, 8).ToArray());
        Assert.Equal(bytes, EmbeddedFilterDecoder.Decode(container));
    }

    [Fact]
    public void Shuffle_ReachesTensorsInConstantNodesAndSubgraphs_AndLeavesOtherTypesAlone()
    {
        var inner = new GraphProto { Name = "then" };
        inner.Node.Add(ConstantNode("c_inner", new TensorProto { DataType = (int)DataType.Float, Dims = { 3 }, RawData = ByteString.CopyFrom(new byte[12]) }));
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.Graph.Node.Add(ConstantNode("c_outer", new TensorProto { DataType = (int)DataType.Int64, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[16]) }));
        model.Graph.Node.Add(new NodeProto { OpType = "If", Attribute = { new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = inner } } });
        model.Graph.Initializer.Add(new TensorProto { Name = "s", DataType = (int)DataType.String, StringData = { ByteString.CopyFromUtf8("text") } });
        model.Graph.Initializer.Add(new TensorProto { Name = "b", DataType = (int)DataType.Bool, Dims = { 4 }, RawData = ByteString.CopyFrom(1, 0, 1, 1) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        var bytes = model.ToByteArray();

        var container = EmbeddedFilterEncoder.Encode(bytes);

        Assert.Equal([4, 8], Header(container).Ranges.Select(r => r.Code).Order());
        Assert.Equal(bytes, EmbeddedFilterDecoder.Decode(container));
    }

    [Theory]
    [InlineData(EmbeddedCompression.Brotli)]
    [InlineData(EmbeddedCompression.Gzip)]
    public void Shuffle_MakesTheCompressedSparseModelSmaller_AndDecompressUndoesIt(EmbeddedCompression compression)
    {
        var bytes = SparseInitializers.Apply(SparseStorageTests.SparseMlp(), StorageMode.Sparse).ToByteArray();

        var plain = EmbeddedCompressor.Compress(bytes, compression);
        var filtered = EmbeddedCompressor.Compress(bytes, compression, EmbeddedFilter.Shuffle);

        Assert.True(filtered.Length < plain.Length * 0.95, $"{filtered.Length} vs {plain.Length}");
        Assert.Equal(bytes, EmbeddedCompressor.Decompress(filtered, compression));
        Assert.Equal(bytes, ModelEvaluator.Decompressed(filtered));
        Assert.Equal(bytes, ModelEvaluator.Decompressed(EmbeddedFilterEncoder.Encode(bytes)));
    }

    [Fact]
    public void Shuffle_WithoutCompression_IsRefused() =>
        Assert.Throws<ArgumentException>(() => EmbeddedCompressor.Compress(new byte[4], EmbeddedCompression.None, EmbeddedFilter.Shuffle));

    [Fact]
    public void Encode_RejectsBytesThatAreNotAModel()
    {
        var error = Assert.Throws<InvalidDataException>(() => EmbeddedFilterEncoder.Encode([0x3a, 0x10, 1, 2]));
        Assert.Contains("not a serialized ModelProto", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<byte[], string> MalformedContainers => new()
    {
        { "CMPX\u0001\u0000"u8.ToArray(), "no CMPF header" },
        { "CMPF\u0002\u0000"u8.ToArray(), "version 2; this accessor reads version 1" },
        { "CMPF\u0001\u0005\u0000"u8.ToArray(), "header is truncated" },
        { "CMPF\u0001\u0001\u0000\u0008\u0004abcd"u8.ToArray(), "range 0 does not fit the payload" },
        { "CMPF\u0001\u0001\u0000\u0003\u0002abcd"u8.ToArray(), "range 0 does not fit the payload" },
        { "CMPF\u0001\u0001\u0000\u0004\u0003abcd"u8.ToArray(), "range 0 has unknown code 3" },
        { "CMPF\u0001\u0001\u0000\u0004\u0044abcd"u8.ToArray(), "range 0 has unknown code 68" },
        { new byte[] { (byte)'C', (byte)'M', (byte)'P', (byte)'F', 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, "invalid number" },
    };

    [Theory]
    [MemberData(nameof(MalformedContainers))]
    public void Decode_RejectsMalformedContainers(byte[] container, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => EmbeddedFilterDecoder.Decode(container));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_OfAnEmptyContainer_IsItsPayload() =>
        Assert.Equal("abc"u8.ToArray(), EmbeddedFilterDecoder.Decode("CMPF\u0001\u0000abc"u8.ToArray()));

    [Fact]
    public void IsFiltered_IsFalseForEveryOnnxModel()
    {
        // A ModelProto starts with a field tag; 'C' (0x43) would be field 8 with wire type 3, which ONNX never uses.
        var bytes = SparseStorageTests.SparseMlp().ToByteArray();
        Assert.False(EmbeddedFilterDecoder.IsFiltered(bytes));
        Assert.False(EmbeddedFilterDecoder.IsFiltered("CMP"u8.ToArray()));
    }

    private static NodeProto ConstantNode(string output, TensorProto value) => new()
    {
        OpType = "Constant",
        Output = { output },
        Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value } },
    };

    /// <summary>Parses the container header independently of the decoder: payload start and absolute ranges.</summary>
    private static (int PayloadStart, List<(int Offset, int Length, int Code)> Ranges) Header(byte[] container)
    {
        var position = 5;
        int Varint()
        {
            int value = 0, shift = 0;
            byte b;
            do
            {
                b = container[position++];
                value |= (b & 0x7f) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return value;
        }

        var count = Varint();
        var ranges = new List<(int, int, int)>();
        var end = 0;
        for (var i = 0; i < count; i++)
        {
            var offset = end + Varint();
            var length = Varint();
            ranges.Add((offset, length, container[position++]));
            end = offset + length;
        }

        return (position, ranges);
    }
}
