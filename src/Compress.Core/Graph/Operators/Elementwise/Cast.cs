using Compress.Onnx;
using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Cast</c>: to the element type in <c>to</c> (float, double, float16, int8..int64, uint8, bool).</summary>
[OnnxOperator("Cast", 6)]
[OnnxOperator("Cast", 9)]
[OnnxOperator("Cast", 13)]
[OnnxOperator("Cast", 19)]
[OnnxOperator("Cast", 21)]
public sealed class Cast : OnnxOperator
{
    private ScalarType _to;

    /// <inheritdoc />
    protected override void Initialize()
    {
        var to = (int)Node.RequiredInt("to");
        _to = OnnxTensors.ToScalarType(to) ?? throw Node.Invalid($"casting to data type {to} is not supported");
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        // Float to integer casts truncate toward zero in ONNX Runtime, as torch's conversion does.
        return [x.dtype == _to ? x.alias() : x.to_type(_to)];
    }
}
