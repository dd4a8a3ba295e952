using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>DequantizeLinear</c>: y = (x − zero_point) · scale, from int8, uint8 or int32 x to the scale's float type; per
/// tensor, or per axis from opset 13 (see <see cref="QuantizationAxis"/>). An absent zero point is 0.
/// </summary>
[OnnxOperator("DequantizeLinear", 10)]
[OnnxOperator("DequantizeLinear", 13)]
[OnnxOperator("DequantizeLinear", 19)]
[OnnxOperator("DequantizeLinear", 21)]
public sealed class DequantizeLinear : OnnxOperator
{
    private long _axis;

    /// <inheritdoc />
    protected override void Initialize() => _axis = QuantizationAxis.Read(Node);

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var scale = Input(inputs, 1);
        if (x.dtype is not (ScalarType.Int8 or ScalarType.Byte or ScalarType.Int32))
        {
            throw Node.Failed($"x must be int8, uint8 or int32, not {x.dtype}");
        }

        // The difference is exact in int32 (as ONNX Runtime computes it), then converted and scaled in float.
        var difference = x.to_type(ScalarType.Int32);
        if (Optional(inputs, 2) is { } zeroPoint)
        {
            if (zeroPoint.dtype != x.dtype)
            {
                throw Node.Failed($"the zero point ({zeroPoint.dtype}) must have x's type ({x.dtype})");
            }

            difference = difference - QuantizationAxis.Broadcast(Node, zeroPoint, x, _axis).to_type(ScalarType.Int32);
        }

        return [difference.to_type(scale.dtype) * QuantizationAxis.Broadcast(Node, scale, x, _axis)];
    }
}
