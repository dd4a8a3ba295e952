using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>Small graphs for the coupling kinds structured pruning must follow.</summary>
public static class ChannelModels
{
    private static float[] Random(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    /// <summary>x [N, 2, 8, 8] → Conv(2→8, 3×3, bias) → Relu → Flatten → Gemm(8·6·6 → 5).</summary>
    public static ModelProto FlattenGemm()
    {
        var random = new Random(21);
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 2L, 8L, 8L);
        var conv = b.Node("Conv", [x, b.Initializer("conv.weight", Random(random, 8 * 2 * 9, 0.4), 8, 2, 3, 3), b.Initializer("conv.bias", Random(random, 8, 0.1), 8)], ("kernel_shape", new long[] { 3, 3 }));
        var flat = b.Node("Flatten", [b.Node("Relu", [conv])], ("axis", 1L));
        b.Output(b.Node("Gemm", [flat, b.Initializer("fc.weight", Random(random, 5 * 288, 0.1), 5, 288), b.Initializer("fc.bias", Random(random, 5, 0.1), 5)], ("transB", 1L)));
        return b.Build();
    }

    /// <summary>x [N, 3, 10] → two Conv1d branches (6 and 10 channels) → Concat(axis 1) → BN → Relu → Conv1d 1×1 (16→7) → GlobalAveragePool → Flatten → MatMul(7→4).</summary>
    public static ModelProto ConcatBranches()
    {
        var random = new Random(22);
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 3L, 10L);
        var left = b.Node("Conv", [x, b.Initializer("left.weight", Random(random, 6 * 3 * 3, 0.5), 6, 3, 3)], ("kernel_shape", new long[] { 3 }), ("pads", new long[] { 1, 1 }));
        var right = b.Node("Conv", [x, b.Initializer("right.weight", Random(random, 10 * 3, 0.5), 10, 3, 1), b.Initializer("right.bias", Random(random, 10, 0.2), 10)], ("kernel_shape", new long[] { 1 }));
        var cat = b.Node("Concat", [left, right], ("axis", 1L));
        var bn = b.Node("BatchNormalization",
        [
            cat,
            b.Initializer("bn.weight", Random(random, 16, 0.3).Select(v => v + 1).ToArray(), 16),
            b.Initializer("bn.bias", Random(random, 16, 0.2), 16),
            b.Initializer("bn.running_mean", Random(random, 16, 0.2), 16),
            b.Initializer("bn.running_var", Random(random, 16, 0.3).Select(v => v + 1).ToArray(), 16),
        ]);
        var mix = b.Node("Conv", [b.Node("Relu", [bn]), b.Initializer("mix.weight", Random(random, 7 * 16, 0.4), 7, 16, 1)], ("kernel_shape", new long[] { 1 }));
        var pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [mix])], ("axis", 1L));
        b.Output(b.Node("MatMul", [pooled, b.Initializer("head.weight", Random(random, 7 * 4, 0.4), 7, 4)]));
        return b.Build();
    }
}

/// <summary>Graphs written the way torch.onnx exports Linear on 3-D inputs and view(N, −1).</summary>
public static class ExportedPatterns
{
    private static float[] Random(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    /// <summary>x [N, 2, 6, 6] → Conv(2→8, 3×3) → Relu → Reshape to [0, −1] (shape from a Constant node) → MatMul(288→10) → Add(bias) → Relu → MatMul(10→3).</summary>
    public static global::Compress.Onnx.Proto.ModelProto ReshapeMatMulAdd()
    {
        var random = new Random(23);
        var b = new global::Compress.Onnx.ModelBuilder(17);
        var x = b.Input("x", global::Compress.Onnx.Proto.TensorProto.Types.DataType.Float, "N", 2L, 6L, 6L);
        var conv = b.Node("Relu", [b.Node("Conv", [x, b.Initializer("conv.weight", Random(random, 8 * 2 * 9, 0.4), 8, 2, 3, 3)], ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }))]);
        var shape = b.Node("Constant", [], ("value", global::Compress.Onnx.ModelBuilder.Tensor("shape", new long[] { 0, -1 }, 2)));
        var flat = b.Node("Reshape", [conv, shape]);
        var hidden = b.Node("Add", [b.Node("MatMul", [flat, b.Initializer("fc1.weight", Random(random, 288 * 10, 0.1), 288, 10)]), b.Initializer("fc1.bias", Random(random, 10, 0.2), 10)]);
        b.Output(b.Node("MatMul", [b.Node("Relu", [hidden]), b.Initializer("fc2.weight", Random(random, 30, 0.3), 10, 3)]));
        return b.Build();
    }
}
