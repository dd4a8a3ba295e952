using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// An operator with two inputs combined with multidirectional (NumPy) broadcasting, which TorchSharp's
/// element-wise functions implement directly.
/// </summary>
public abstract class BinaryOperator : OnnxOperator
{
    /// <summary>Combines the two inputs.</summary>
    protected abstract Tensor Apply(Tensor a, Tensor b);

    /// <inheritdoc />
    public sealed override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) =>
        [Apply(Input(inputs, 0), Input(inputs, 1))];
}
