using Compress.Onnx;
using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ConstantOfShape</c>: a tensor of the input's shape filled with <c>value</c> (a one-element tensor; default float 0).</summary>
[OnnxOperator("ConstantOfShape", 9)]
[OnnxOperator("ConstantOfShape", 20)]
[OnnxOperator("ConstantOfShape", 21)]
public sealed class ConstantOfShape : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var shape = ToLongs(Input(inputs, 0));
        if (Node.Tensor("value") is not { } proto)
        {
            return [zeros(shape, ScalarType.Float32)];
        }

        using var value = OnnxTensors.ToTorch(proto);
        return [full(shape, value.flatten()[0].ToScalar(), value.dtype)];
    }
}
