using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>Models whose weights are stored as sparse_initializer (as Compress exports them) run in the executor as their dense form.</summary>
public sealed class SparseInitializerTests
{
    private static ModelProto PrunedModel()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 6L);
        var w = (float[])CaseTensor.Random("w", 1, -1, 1, 24).Data;
        for (var i = 0; i < w.Length; i++)
        {
            if (i % 4 != 1)
            {
                w[i] = 0;
            }
        }

        b.Output(b.Node("MatMul", [x, b.Initializer("w", w, 6, 4)]));
        return b.Build();
    }

    [Theory]
    [InlineData(StorageMode.Sparse)]
    [InlineData(StorageMode.SparseInt64)]
    public void SparseInitializers_RunAsTheirDenseWeights(StorageMode mode)
    {
        var dense = PrunedModel();
        var sparse = SparseInitializers.Apply(dense, mode);
        Assert.Empty(sparse.Graph.Initializer);
        var input = CaseTensor.Random("x", 2, -1, 1, 3, 6);
        ParityAssert.Equal(OrtRunner.Run(dense, [input]), ExecutorRunner.Run(sparse, [input]), Tolerance.Parity);
        using var module = Compress.Graph.OnnxGraphModule.Create(sparse);
        Assert.Equal([6L, 4], module.OnnxParameters["w"].shape);
    }

    private static ModelProto WithCoordinates(long[] coordinates)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 3L);
        b.Output(b.Node("MatMul", [x, "w"]));
        var model = b.Build();
        var sparse = new SparseTensorProto { Values = ModelBuilder.Tensor("w", [1.5f, -2f], 2), Indices = ModelBuilder.Tensor("w_indices", coordinates, 2, 2) };
        sparse.Dims.AddRange([3, 2]);
        model.Graph.SparseInitializer.Add(sparse);
        return model;
    }

    [Fact]
    public void CoordinateIndices_PlaceValuesByRowAndColumn()
    {
        var input = CaseTensor.Floats("x", [1, 10, 100], 1, 3);
        var y = (float[])ExecutorRunner.Run(WithCoordinates([0, 1, 2, 0]), [input]).Values.Single().Data;
        Assert.Equal([-200f, 1.5f], y);
    }

    [Fact]
    public void AnIndexOutsideTheShape_IsCMP2105()
    {
        var e = Assert.Throws<CompressException>(() => Compress.Graph.OnnxGraphModule.Create(WithCoordinates([0, 1, 3, 0])));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(ModelMessages.TensorDataMismatchCode, d.Code);
        Assert.Equal("w", d.Node);
    }
}
