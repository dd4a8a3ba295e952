using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Clip</c>: min/max from attributes (opset 6) or optional scalar inputs (11 on); an absent bound does not clip.</summary>
[OnnxOperator("Clip", 6)]
[OnnxOperator("Clip", 11)]
[OnnxOperator("Clip", 12)]
[OnnxOperator("Clip", 13)]
public sealed class Clip : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        if (Node.SinceVersion < 11)
        {
            return [x.clamp(Node.Float("min", float.MinValue), Node.Float("max", float.MaxValue))];
        }

        var min = Optional(inputs, 1);
        var max = Optional(inputs, 2);
        var y = min is null ? x : maximum(x, min.to_type(x.dtype));
        return [max is null ? y : minimum(y, max.to_type(x.dtype))];
    }
}
