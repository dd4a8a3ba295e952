using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Runtime;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Onnx;

/// <summary>
/// A tensor proto from an untrusted model (a Constant's value, an initializer) whose shape is forged: CMP2105, never
/// an OverflowException or a multi-gigabyte allocation (cases found by the fuzz tests).
/// </summary>
public sealed class OnnxTensorsTests
{
    public OnnxTensorsTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData(new[] { long.MaxValue })]
    [InlineData(new[] { 1L << 40, 1L << 40 })]
    [InlineData(new[] { 1L << 62, 3L })]
    public void ToTorch_AShapeWhoseSizeOverflows_IsCMP2105(long[] dims)
    {
        // Fuzz onnx case seed 1912779553: a Constant's tensor with dims [2^63-1] threw OverflowException in ConstantFolding.
        var proto = new TensorProto { Name = "c", DataType = (int)DataType.Float, Dims = { dims } };
        proto.FloatData.Add(1f);

        var e = Assert.Throws<CompressException>(() => OnnxTensors.ToTorch(proto));

        Assert.Equal(ModelMessages.TensorDataMismatchCode, Assert.Single(e.Diagnostics).Code);
    }

    [Theory]
    [InlineData(DataType.Uint8)]
    [InlineData(DataType.Float)]
    [InlineData(DataType.Int64)]
    public void ToTorch_AHugeShapeWithoutData_IsCMP2105_WithoutAllocatingIt(DataType type)
    {
        var proto = new TensorProto { Name = "c", DataType = (int)type, Dims = { int.MaxValue } };
        var before = GC.GetAllocatedBytesForCurrentThread(); // not the process: other test classes allocate in parallel

        var e = Assert.Throws<CompressException>(() => OnnxTensors.ToTorch(proto));

        Assert.Equal(ModelMessages.TensorDataMismatchCode, Assert.Single(e.Diagnostics).Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the data of a shape with no values behind it was allocated");
    }

    [Fact]
    public void ToTorch_TypedDataThatFitsTheShape_IsRead()
    {
        var proto = new TensorProto { Name = "c", DataType = (int)DataType.Float, Dims = { 2, 2 } };
        proto.FloatData.Add([1f, 2f, 3f, 4f]);

        using var tensor = OnnxTensors.ToTorch(proto);

        Assert.Equal([2L, 2L], tensor.shape);
        Assert.Equal([1f, 2f, 3f, 4f], tensor.data<float>().ToArray());
    }
}
