using Compress.Onnx;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    private static float[] Values(int seed, long count, float scale = 1) =>
        (float[])CaseTensor.Random("w", seed, -scale, scale, count).Data;

    private static OperatorCase ConvCase(string name, long[] xShape, long[] wShape, bool bias, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, xShape.Cast<object>().ToArray());
        var w = b.Initializer("w", Values(21, wShape.Aggregate(1L, (a, d) => a * d), 0.5f), wShape);
        var inputs = bias ? new[] { x, w, b.Initializer("b", Values(22, wShape[0], 0.2f), wShape[0]) } : [x, w];
        b.Output(b.Node("Conv", inputs, attributes));
        return new OperatorCase(name, b.Build(), [CaseTensor.Random("x", 23, -1, 1, xShape)]);
    }

    private static OperatorCase PoolCase(string name, string op, long[] xShape, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, xShape.Cast<object>().ToArray());
        b.Output(b.Node(op, [x], attributes));
        return new OperatorCase(name, b.Build(), [CaseTensor.Random("x", 24, -2, 2, xShape)]);
    }

    [CaseGroup]
    private static IEnumerable<OperatorCase> Nn()
    {
        yield return ConvCase("Conv_2D_Bias_Strides_Pads", [2, 3, 9, 8], [4, 3, 3, 3], true, ("strides", new long[] { 2, 1 }), ("pads", new long[] { 1, 1, 1, 1 }));
        yield return ConvCase("Conv_2D_AsymmetricPads_NoBias", [1, 2, 10, 6], [3, 2, 10, 4], false, ("strides", new long[] { 2, 2 }), ("pads", new long[] { 4, 1, 5, 2 }));
        yield return ConvCase("Conv_2D_Depthwise", [2, 6, 7, 7], [6, 1, 3, 3], true, ("group", 6L), ("pads", new long[] { 1, 1, 1, 1 }));
        yield return ConvCase("Conv_2D_Groups2_Dilation2", [1, 4, 9, 9], [6, 2, 3, 3], true, ("group", 2L), ("dilations", new long[] { 2, 2 }));
        yield return ConvCase("Conv_2D_SameUpper_Stride2", [1, 2, 7, 6], [3, 2, 3, 2], true, ("auto_pad", "SAME_UPPER"), ("strides", new long[] { 2, 2 }));
        yield return ConvCase("Conv_2D_SameLower", [1, 2, 6, 6], [3, 2, 4, 4], false, ("auto_pad", "SAME_LOWER"));
        yield return ConvCase("Conv_1D_Dilated_Padded", [2, 5, 20], [7, 5, 3], true, ("dilations", new long[] { 3 }), ("pads", new long[] { 3, 3 }));
        yield return ConvCase("Conv_1D_Strided_Valid", [1, 3, 17], [4, 3, 5], true, ("strides", new long[] { 2 }), ("auto_pad", "VALID"));

        {
            var b = new ModelBuilder(15);
            var x = b.Input("x", DataType.Float, 2, 3, 4, 5);
            b.Output(b.Node("BatchNormalization",
            [
                x,
                b.Initializer("scale", [1.5f, 0.5f, -1f], 3),
                b.Initializer("bias", [0.1f, -0.2f, 0.3f], 3),
                b.Initializer("mean", [0.2f, -0.1f, 0.05f], 3),
                b.Initializer("var", [0.8f, 1.3f, 0.4f], 3),
            ], ("epsilon", 1e-3f)));
            yield return new OperatorCase("BatchNormalization_Eval_UsesRunningStatistics", b.Build(), [CaseTensor.Random("x", 25, -2, 2, 2, 3, 4, 5)]);
        }

        yield return PoolCase("GlobalAveragePool_2D", "GlobalAveragePool", [2, 3, 4, 5]);
        yield return PoolCase("GlobalAveragePool_1D", "GlobalAveragePool", [2, 3, 7]);
        yield return PoolCase("GlobalMaxPool_2D", "GlobalMaxPool", [2, 3, 4, 5]);
        yield return PoolCase("Flatten_Axis2", "Flatten", [2, 3, 4, 5], ("axis", 2L));
        yield return PoolCase("Flatten_NegativeAxis", "Flatten", [2, 3, 4, 5], ("axis", -1L));
        yield return PoolCase("Flatten_Axis0", "Flatten", [2, 3, 4], ("axis", 0L));
        yield return PoolCase("MaxPool_2D_Strided_Padded", "MaxPool", [1, 2, 7, 7], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }));
        yield return PoolCase("MaxPool_2D_CeilMode", "MaxPool", [1, 2, 6, 6], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L));
        yield return PoolCase("MaxPool_2D_AsymmetricPads_Dilated", "MaxPool", [1, 1, 8, 8], ("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 0 }), ("dilations", new long[] { 2, 2 }));
        yield return PoolCase("MaxPool_1D_SameUpper", "MaxPool", [2, 3, 11], ("kernel_shape", new long[] { 3 }), ("strides", new long[] { 2 }), ("auto_pad", "SAME_UPPER"));
        yield return PoolCase("AveragePool_2D_ExcludePad", "AveragePool", [1, 2, 7, 7], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }));
        yield return PoolCase("AveragePool_2D_IncludePad", "AveragePool", [1, 2, 7, 7], ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 1L));
        yield return PoolCase("AveragePool_2D_AsymmetricPads", "AveragePool", [1, 2, 6, 6], ("kernel_shape", new long[] { 2, 3 }), ("pads", new long[] { 0, 1, 1, 2 }));
        yield return PoolCase("AveragePool_1D_CeilMode", "AveragePool", [2, 3, 10], ("kernel_shape", new long[] { 3 }), ("strides", new long[] { 2 }), ("ceil_mode", 1L));
    }
}
