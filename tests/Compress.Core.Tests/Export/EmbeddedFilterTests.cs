using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Pruning;
using Compress.Core.Tests.Training;
using Compress.Export;
using Compress.Tests.Shared;
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

    /// <summary>Every .onnx file in the repository (outside build output), by path from the repository root.</summary>
    private static List<string> RepositoryModelPaths() =>
        Directory.EnumerateFiles(PackagedTool.RepositoryRoot, "*.onnx", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(PackagedTool.RepositoryRoot, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj" or ".git"))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> RepositoryModels => new(RepositoryModelPaths());

    /// <summary>Models our builders write, by name: dense, sparse and int64-indexed storage, convolutions, recurrences, attention.</summary>
    private static readonly Dictionary<string, Func<ModelProto>> BuilderModels = new Dictionary<string, Func<ModelProto>>(StringComparer.Ordinal)
    {
        ["sparse-mlp/dense"] = () => SparseInitializers.Apply(SparseStorageTests.SparseMlp(), StorageMode.Dense),
        ["sparse-mlp/sparse"] = () => SparseInitializers.Apply(SparseStorageTests.SparseMlp(), StorageMode.Sparse),
        ["sparse-mlp/sparse-int64"] = () => SparseInitializers.Apply(SparseStorageTests.SparseMlp(), StorageMode.SparseInt64),
        ["tiny-mlp"] = () => TinyModels.Mlp(),
        ["ds-cnn/sample-size"] = () => new DsCnn(Classes: 12).Build(),
        ["channel/concat-branches"] = ChannelModels.ConcatBranches,
        ["exported/reshape-matmul-add"] = ExportedPatterns.ReshapeMatMulAdd,
    }.Concat(((IEnumerable<object[]>)SpeechModels.Names).Select(row => (string)row[0]).Select(n => KeyValuePair.Create<string, Func<ModelProto>>("speech/" + n, () => SpeechModels.Get(n).Model)))
        .ToDictionary(StringComparer.Ordinal);

    public static TheoryData<string> BuilderModelNames => new(BuilderModels.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void RepositoryModels_IncludeTheSampleModel() =>
        Assert.Contains("samples/AppWithModel/model/kws-dense.onnx", RepositoryModelPaths());

    [Theory]
    [MemberData(nameof(RepositoryModels))]
    public void Shuffle_RoundTripsEveryRepositoryModel_DenseAndSparse(string path)
    {
        var bytes = File.ReadAllBytes(Path.Combine(PackagedTool.RepositoryRoot, path));
        var model = ModelProto.Parser.ParseFrom(bytes);

        var sparse = SparseInitializers.Apply(Pruned(model), StorageMode.Sparse);

        AssertRoundTrips(bytes);
        Assert.NotEmpty(sparse.Graph.SparseInitializer);
        AssertRoundTrips(sparse.ToByteArray());
    }

    /// <summary>The model with four of every five weights of each larger float initializer set to zero, as pruning leaves it.</summary>
    private static ModelProto Pruned(ModelProto model)
    {
        var pruned = model.Clone();
        foreach (var tensor in pruned.Graph.Initializer.Where(t => t.DataType == (int)DataType.Float && t.RawData.Length >= 64))
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = i % 5 == 0 ? values[i] : 0;
            }

            tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }

        return pruned;
    }

    [Theory]
    [MemberData(nameof(BuilderModelNames))]
    public void Shuffle_RoundTripsEveryBuilderModel(string name) => AssertRoundTrips(BuilderModels[name]().ToByteArray());

    /// <summary>Not taken for a container, encoded deterministically, decoded to the same bytes, also through compression.</summary>
    private static void AssertRoundTrips(byte[] bytes)
    {
        Assert.False(EmbeddedFilterDecoder.IsFiltered(bytes));
        var container = EmbeddedFilterEncoder.Encode(bytes);
        Assert.Equal(container, EmbeddedFilterEncoder.Encode(bytes));
        Assert.True(EmbeddedFilterDecoder.IsFiltered(container));
        Assert.Equal(bytes, EmbeddedFilterDecoder.Decode(container));
        Assert.Equal(bytes, EmbeddedCompressor.Decompress(EmbeddedCompressor.Compress(bytes, EmbeddedCompression.Brotli, EmbeddedFilter.Shuffle), EmbeddedCompression.Brotli));
    }

    [Fact]
    public void IsFiltered_IsFalseForShortPrefixesOfTheHeader() =>
        Assert.False(EmbeddedFilterDecoder.IsFiltered("CMP"u8.ToArray()));

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
