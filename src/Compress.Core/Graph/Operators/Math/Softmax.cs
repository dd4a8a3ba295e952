using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// Softmax-like operators: before opset 13 the input is coerced to 2-D at <c>axis</c> (default 1) and normalised over
/// the flattened trailing part; from 13 over the single <c>axis</c> (default −1).
/// </summary>
public abstract class SoftmaxLike : UnaryOperator
{
    /// <summary>The normalisation over one axis.</summary>
    protected abstract Tensor Normalise(Tensor x, long axis);

    /// <inheritdoc />
    protected sealed override Tensor Apply(Tensor x)
    {
        if (Node.SinceVersion >= 13)
        {
            return Normalise(x, Axis(Node.Int("axis", -1), x.dim()));
        }

        var axis = Node.Int("axis", 1);
        axis = axis < 0 ? axis + x.dim() : axis;
        var outer = x.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
        return Normalise(x.reshape(outer, -1), 1).reshape(x.shape);
    }
}

/// <summary><c>Softmax</c>.</summary>
[OnnxOperator("Softmax", 1)]
[OnnxOperator("Softmax", 11)]
[OnnxOperator("Softmax", 13)]
public sealed class Softmax : SoftmaxLike
{
    /// <inheritdoc />
    protected override Tensor Normalise(Tensor x, long axis) => x.softmax(axis);
}

/// <summary><c>LogSoftmax</c>.</summary>
[OnnxOperator("LogSoftmax", 1)]
[OnnxOperator("LogSoftmax", 11)]
[OnnxOperator("LogSoftmax", 13)]
public sealed class LogSoftmax : SoftmaxLike
{
    /// <inheritdoc />
    protected override Tensor Normalise(Tensor x, long axis) => x.log_softmax(axis);
}
