using Compress.Onnx;
using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>QuantizeLinear</c>: y = saturate(round(x / scale) + zero_point), rounding half to even, to the zero point's type
/// (int8 or uint8; uint8 when there is none, or <c>output_dtype</c> from opset 21); per tensor, or per axis from
/// opset 13 (see <see cref="QuantizationAxis"/>).
/// </summary>
[OnnxOperator("QuantizeLinear", 10)]
[OnnxOperator("QuantizeLinear", 13)]
[OnnxOperator("QuantizeLinear", 19)]
[OnnxOperator("QuantizeLinear", 21)]
public sealed class QuantizeLinear : OnnxOperator
{
    private long _axis;
    private ScalarType? _outputType;

    /// <inheritdoc />
    protected override void Initialize()
    {
        _axis = QuantizationAxis.Read(Node);
        var dtype = (int)Node.Int("output_dtype", 0);
        if (dtype != 0)
        {
            _outputType = OnnxTensors.ToScalarType(dtype) is { } t && t is ScalarType.Int8 or ScalarType.Byte
                ? t
                : throw Node.Invalid($"output_dtype {dtype} is not supported (int8 or uint8 only)");
        }
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var scale = QuantizationAxis.Broadcast(Node, Input(inputs, 1), x, _axis);
        var zeroPoint = Optional(inputs, 2);
        var type = zeroPoint?.dtype ?? _outputType ?? ScalarType.Byte;
        if (type is not (ScalarType.Int8 or ScalarType.Byte))
        {
            throw Node.Failed($"the output type must be int8 or uint8, not {type}");
        }

        // Divided, not multiplied by the reciprocal, and rounded half to even, as ONNX Runtime does.
        var y = (x.to_type(ScalarType.Float32) / scale.to_type(ScalarType.Float32)).round();
        if (zeroPoint is not null)
        {
            y = y.Plus(QuantizationAxis.Broadcast(Node, zeroPoint, x, _axis).to_type(ScalarType.Float32));
        }

        var (low, high) = type == ScalarType.Int8 ? (-128, 127) : (0, 255);
        return [y.clamp(low, high).to_type(type)];
    }
}
