using Compress.Core.Tests.Graph;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Export;

/// <summary>The quantizer's arithmetic and the axis it picks for each reader (see <see cref="Int8WeightQuantizer"/>).</summary>
public sealed class Int8WeightQuantizerTests
{
    [Fact]
    public void Quantize_ScaleIsEachChannelsMaxOver127_AndAnAllZeroChannelGetsScaleOne()
    {
        // [3, 2, 2] along axis 0: channel maxima 4, 0 (all zero), 0.5.
        float[] w = [1, -4, 2, 0, 0, 0, 0, 0, 0.25f, 0, -0.5f, 0.1f];

        var (q, scales) = Int8WeightQuantizer.Quantize(w, [3, 2, 2], 0);

        Assert.Equal([4f / 127, 1f, 0.5f / 127], scales);
        Assert.Equal(-127, q[1]);
        Assert.Equal(-127, q[10]);
        Assert.All(q[4..8], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Quantize_AlongAMiddleAxis_GroupsTheRightElements()
    {
        // [2, 3, 2] along axis 1: channel c holds w[:, c, :].
        float[] w = [1, 0, 0, 3, 0, 0, 0, -2, 0, 0, 0.5f, 0];

        var (_, scales) = Int8WeightQuantizer.Quantize(w, [2, 3, 2], 1);

        Assert.Equal([2f / 127, 3f / 127, 0.5f / 127], scales);
    }

    [Fact]
    public void Quantize_RoundsHalfToEven_AndClampsTo127()
    {
        // Max 127 gives scale exactly 1.
        float[] w = [127, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f];

        var (q, scales) = Int8WeightQuantizer.Quantize(w, [1, 8], 0);

        Assert.Equal([1f], scales);
        Assert.Equal(new sbyte[] { 127, 0, 2, 2, 0, -2, -2, 126 }, q);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Quantize_ZerosStayZero_AndEveryElementIsWithinHalfAScale(int axis)
    {
        long[] dims = [6, 5, 4];
        var random = new Random(7 + axis);
        var w = new float[120];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = random.NextDouble() < 0.6 ? 0f : (float)((random.NextDouble() * 4) - 2);
        }

        var (q, scales) = Int8WeightQuantizer.Quantize(w, dims, axis);

        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        for (var i = 0; i < w.Length; i++)
        {
            var scale = scales[(int)(i / inner % dims[axis])];
            if (w[i] == 0f)
            {
                Assert.Equal(0, q[i]);
            }

            Assert.True(Math.Abs(w[i] - (q[i] * scale)) <= (scale / 2) * (1 + 1e-6), $"element {i}: {w[i]} → {q[i]} × {scale}");
            Assert.InRange(q[i], -127, 127);
        }
    }

    [Theory]
    [InlineData("Conv", 1, 4, null, 0)]
    [InlineData("ConvTranspose", 1, 4, null, 1)]
    [InlineData("MatMul", 1, 2, null, 1)]
    [InlineData("MatMul", 1, 3, null, 2)]
    [InlineData("MatMul", 0, 2, null, 0)]
    [InlineData("Gemm", 1, 2, null, 1)]
    [InlineData("Gemm", 1, 2, "transB", 0)]
    [InlineData("Gemm", 0, 2, null, 0)]
    [InlineData("Gemm", 0, 2, "transA", 1)]
    [InlineData("GRU", 1, 3, null, 1)]
    [InlineData("GRU", 2, 3, null, 1)]
    [InlineData("LSTM", 1, 3, null, 1)]
    [InlineData("LSTM", 2, 3, null, 1)]
    public void OutputChannelAxis_IsTheAxisOfTheReadersOutputs(string opType, int input, int rank, string? flag, int expected)
    {
        var node = new NodeProto { OpType = opType };
        if (flag is not null)
        {
            node.Attribute.Add(ModelBuilder.Attribute(flag, 1L));
        }

        Assert.Equal(expected, Int8WeightQuantizer.OutputChannelAxis(opType, input, rank, node));
    }

    [Theory]
    [InlineData(false, 1, 4)]
    [InlineData(true, 0, 4)]
    public void Apply_Gemm_DequantizesAlongTheOutputAxisForTransB(bool transB, long axis, long channels)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2, 3);
        float[] w = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var weight = transB ? b.Initializer("w", w, 4, 3) : b.Initializer("w", w, 3, 4);
        b.Output(b.Node("Gemm", [x, weight], ("transB", transB ? 1L : 0L)));

        var q = QuantizedExportTests.Quantize(b.Build());

        Assert.Equal(["w"], q.Quantized);
        var dq = q.Model.Graph.Node.Single(n => n.OpType == "DequantizeLinear");
        Assert.Equal(["w_quantized", "w_scale", "w_zero_point"], dq.Input);
        Assert.Equal(["w"], dq.Output);
        Assert.Equal(axis, dq.Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal([channels], q.Model.Graph.Initializer.Single(t => t.Name == "w_scale").Dims);
        Assert.Equal((int)DataType.Int8, q.Model.Graph.Initializer.Single(t => t.Name == "w_quantized").DataType);
        Assert.Equal((int)DataType.Int8, q.Model.Graph.Initializer.Single(t => t.Name == "w_zero_point").DataType);
        Assert.DoesNotContain(q.Model.Graph.Initializer, t => t.Name == "w");
    }

    [Fact]
    public void Apply_BeforeOpset13_LeavesEveryWeightFloatAndSaysWhy()
    {
        var b = new ModelBuilder(11);
        var x = b.Input("x", DataType.Float, 2, 3);
        b.Output(b.Node("MatMul", [x, b.Initializer("w", [1f, 2, 3, 4, 5, 6], 3, 2)]));
        var model = b.Build();

        var q = QuantizedExportTests.Quantize(model);

        Assert.True(q.OpsetTooOld);
        Assert.Empty(q.Quantized);
        Assert.Equal("w", Assert.Single(q.LeftFloat).Name);
        Assert.Equal(model, q.Model);
    }

    [Fact]
    public void Apply_LeavesBiasesAndRankOneTensorsFloat_AndKeepsTheGraphSorted()
    {
        var model = SparseStorageTests.SparseMlp();

        var q = QuantizedExportTests.Quantize(model);

        Assert.Equal(["w1", "w2"], q.Quantized);
        Assert.Equal((int)DataType.Float, q.Model.Graph.Initializer.Single(t => t.Name == "b1").DataType);
        Assert.Equal(["DequantizeLinear", "DequantizeLinear", "Gemm", "Relu", "Gemm"], q.Model.Graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(PrunableWeights.Operands(q.Model), o => o.IsPrunable);
    }

    [Fact]
    public void Apply_AWeightWhoseReadersDisagreeOnTheAxis_StaysFloat()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2, 4);
        var w = b.Initializer("w", [.. Enumerable.Range(1, 16).Select(i => (float)i)], 4, 4);
        b.Output(b.Node("Gemm", [b.Node("Gemm", [x, w]), w], ("transB", 1L)));

        var q = QuantizedExportTests.Quantize(b.Build());

        Assert.Empty(q.Quantized);
        Assert.Equal(("w", "its readers disagree on the output-channel axis"), Assert.Single(q.LeftFloat));
    }

    [Fact]
    public void Apply_ANameThatIsTaken_GetsASuffix()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2, 3);
        var y = b.Node("MatMul", [x, b.Initializer("w", [1f, 2, 3, 4, 5, 6], 3, 2)]);
        b.Output(b.Node("Add", [y, b.Initializer("w_scale", [1f, 1], 2)]));

        var q = QuantizedExportTests.Quantize(b.Build());

        Assert.Equal("w_scale_1", q.Model.Graph.Node.Single(n => n.OpType == "DequantizeLinear").Input[1]);
        var input = CaseTensor.Random("x", 1, -1, 1, 2, 3);
        Assert.Equal(2 * 2, ((float[])OrtRunner.Run(q.Model, [input]).Values.Single().Data).Length);
    }
}
