using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    /// <summary>
    /// QuantizeLinear and DequantizeLinear at every registered version: per tensor (opset 10 form, at opset 11) and per
    /// axis (13+, axis 0 and the default 1), int8 and uint8, with and without a zero point; x is a graph input,
    /// scale and zero point are initializers (as a QDQ exporter writes them).
    /// </summary>
    [CaseGroup]
    private static IEnumerable<OperatorCase> Quantization()
    {
        var q = new sbyte[] { -128, -127, -3, 0, 1, 2, 64, 127, -5, 9, 100, -100 };
        var u = new byte[] { 0, 1, 3, 128, 129, 200, 255, 7, 64, 90, 17, 254 };
        yield return Dequantize("DequantizeLinear10_PerTensor_Int8", 11, CaseTensor.SByte("x", q, 3, 4), [0.05f], [], ZeroPoint(DataType.Int8, -2));
        yield return Dequantize("DequantizeLinear13_PerAxis0_Int8_NoZeroPoint", 13, CaseTensor.SByte("x", q, 3, 4), [0.5f, 0.01f, 2f], [3], null, ("axis", 0L));
        yield return Dequantize("DequantizeLinear13_PerAxisDefault1_UInt8", 13, CaseTensor.Byte("x", u, 3, 4), [0.1f, 0.2f, 0.3f, 0.4f], [4], ZeroPoint(DataType.Uint8, 128, 0, 3, 255));
        yield return Dequantize("DequantizeLinear19_PerAxisNegative_Int8", 19, CaseTensor.SByte("x", q, 2, 2, 3), [0.25f, 1f / 127, 3f], [3], ZeroPoint(DataType.Int8, 0, 1, -1), ("axis", -1L));
        yield return Dequantize("DequantizeLinear21_PerTensor_UInt8", 21, CaseTensor.Byte("x", u, 12), [0.02f], [], ZeroPoint(DataType.Uint8, 128));

        yield return Quantize("QuantizeLinear10_PerTensor_UInt8Default", 11, [0.05f], [], null);
        yield return Quantize("QuantizeLinear13_PerAxis0_Int8_Saturates", 13, [0.01f, 0.02f, 0.5f], [3], ZeroPoint(DataType.Int8, 0, 5, -5), ("axis", 0L));
        yield return Quantize("QuantizeLinear19_PerTensor_Int8", 19, [0.03f], [], ZeroPoint(DataType.Int8, 3));
        yield return Quantize("QuantizeLinear21_PerAxis1_UInt8", 21, [0.1f, 0.01f, 0.02f, 0.05f], [4], ZeroPoint(DataType.Uint8, 128, 0, 10, 250));
    }

    private static TensorProto ZeroPoint(DataType type, params int[] values) => type == DataType.Int8
        ? ModelBuilder.Tensor("zp", values.Select(v => (sbyte)v).ToArray(), values.Length == 1 ? [] : [values.Length])
        : ModelBuilder.Tensor("zp", values.Select(v => (byte)v).ToArray(), values.Length == 1 ? [] : [values.Length]);

    private static OperatorCase Dequantize(string name, long opset, CaseTensor x, float[] scale, long[] scaleDims, TensorProto? zeroPoint, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(opset);
        var type = x.Data.GetType() == typeof(sbyte[]) ? DataType.Int8 : DataType.Uint8;
        var inputs = new List<string> { b.Input(x.Name, type, x.Shape.Cast<object>().ToArray()), b.Initializer("scale", scale, scaleDims) };
        if (zeroPoint is not null)
        {
            inputs.Add(b.Initializer(zeroPoint));
        }

        b.Graph.Output.Add(new ValueInfoProto { Name = b.Node("DequantizeLinear", inputs, attributes) });
        return new OperatorCase(name, b.Build(), [x]);
    }

    // x spans values that round half-way (±0.5 steps) and values far outside the int8/uint8 range, so rounding and saturation are compared.
    private static OperatorCase Quantize(string name, long opset, float[] scale, long[] scaleDims, TensorProto? zeroPoint, params (string, object)[] attributes)
    {
        var x = CaseTensor.Floats("x", [-10f, -0.025f, 0.025f, 0.075f, 1.3f, -1.27f, 0.635f, 3f, 100f, -100f, 0.005f, 0.015f], 3, 4);
        var b = new ModelBuilder(opset);
        var inputs = new List<string> { b.Input("x", DataType.Float, 3L, 4L), b.Initializer("scale", scale, scaleDims) };
        if (zeroPoint is not null)
        {
            inputs.Add(b.Initializer(zeroPoint));
        }

        b.Graph.Output.Add(new ValueInfoProto { Name = b.Node("QuantizeLinear", inputs, attributes) });
        return new OperatorCase(name, b.Build(), [x]);
    }
}
