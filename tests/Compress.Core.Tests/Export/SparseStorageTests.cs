using Compress.Core.Tests.Graph;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Export;

public sealed class SparseStorageTests
{
    /// <summary>x[N,64] → Gemm(w1 64×128, 80% zeros) → Relu → Gemm(w2 128×10, 80% zeros).</summary>
    internal static ModelProto SparseMlp(double sparsity = 0.8, int seed = 1)
    {
        var random = new Random(seed);
        float[] Weights(int n)
        {
            var w = new float[n];
            for (var i = 0; i < n; i++)
            {
                w[i] = random.NextDouble() < sparsity ? 0f : (float)((random.NextDouble() * 2) - 1);
            }

            return w;
        }

        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 64);
        var h = b.Node("Relu", [b.Node("Gemm", [x, b.Initializer("w1", Weights(64 * 128), 64, 128), b.Initializer("b1", Enumerable.Repeat(0.1f, 128).ToArray(), 128)])]);
        b.Output(b.Node("Gemm", [h, b.Initializer("w2", Weights(128 * 10), 128, 10), b.Initializer("b2", Enumerable.Repeat(-0.1f, 10).ToArray(), 10)]));
        return b.Build();
    }

    private static readonly CaseTensor Input = CaseTensor.Random("x", 3, -1, 1, 4, 64);

    [Theory]
    [InlineData(StorageMode.Sparse, DataType.Int16, 0.45)]
    [InlineData(StorageMode.SparseInt64, DataType.Int64, 0.65)]
    public void Sparse_LoadsInOrtAndComputesExactlyTheDenseModel(StorageMode mode, DataType indexType, double maxSizeRatio)
    {
        var dense = SparseMlp();
        var sparse = SparseInitializers.Apply(dense, mode);

        Assert.Equal(["w1", "w2"], sparse.Graph.SparseInitializer.Select(s => s.Values.Name));
        Assert.All(sparse.Graph.SparseInitializer, s => Assert.Equal((int)indexType, s.Indices.DataType));
        Assert.Equal(["b1", "b2"], sparse.Graph.Initializer.Select(t => t.Name));
        Assert.True(sparse.CalculateSize() < dense.CalculateSize() * maxSizeRatio, $"{sparse.CalculateSize()} vs {dense.CalculateSize()}");

        var expected = OrtRunner.Run(dense, [Input]);
        var actual = OrtRunner.Run(sparse, [Input]);
        Assert.Equal((float[])expected.Values.Single().Data, (float[])actual.Values.Single().Data);
    }

    [Fact]
    public void Dense_LeavesTheModelUnchanged()
    {
        var model = SparseMlp();
        Assert.Equal(model, SparseInitializers.Apply(model, StorageMode.Dense));
    }

    [Fact]
    public void Sparse_KeepsTensorsThatWouldNotShrinkDense()
    {
        var model = SparseMlp(sparsity: 0.1);
        var sparse = SparseInitializers.Apply(model, StorageMode.Sparse);
        Assert.Empty(sparse.Graph.SparseInitializer);
        Assert.Equal(model.ToByteArray(), sparse.ToByteArray());
    }

    [Theory]
    [InlineData(32768L, StorageMode.Sparse, DataType.Int16)]
    [InlineData(32769L, StorageMode.Sparse, DataType.Int32)]
    [InlineData(3_000_000_000L, StorageMode.Sparse, DataType.Int64)]
    [InlineData(10L, StorageMode.SparseInt64, DataType.Int64)]
    public void IndexType_IsTheNarrowestThatAddressesEveryElement(long elements, StorageMode mode, DataType expected) =>
        Assert.Equal(expected, SparseInitializers.IndexType(elements, mode));

    [Fact]
    public void Sparse_IsDeterministic()
    {
        Assert.Equal(
            SparseInitializers.Apply(SparseMlp(), StorageMode.Sparse).ToByteArray(),
            SparseInitializers.Apply(SparseMlp(), StorageMode.Sparse).ToByteArray());
    }

    [Theory]
    [InlineData(EmbeddedCompression.None)]
    [InlineData(EmbeddedCompression.Gzip)]
    [InlineData(EmbeddedCompression.Brotli)]
    public void EmbeddedCompression_RoundTripsAndIsDeterministic(EmbeddedCompression compression)
    {
        var bytes = SparseInitializers.Apply(SparseMlp(), StorageMode.Sparse).ToByteArray();
        var packed = EmbeddedCompressor.Compress(bytes, compression);
        Assert.Equal(packed, EmbeddedCompressor.Compress(bytes, compression));
        Assert.Equal(bytes, EmbeddedCompressor.Decompress(packed, compression));
        if (compression != EmbeddedCompression.None)
        {
            Assert.True(packed.Length < bytes.Length);
        }
    }
}
