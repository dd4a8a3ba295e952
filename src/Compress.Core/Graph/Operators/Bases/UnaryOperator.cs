using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>An operator with one input and one output computed element by element.</summary>
public abstract class UnaryOperator : OnnxOperator
{
    /// <summary>Computes the output from the input.</summary>
    protected abstract Tensor Apply(Tensor x);

    /// <inheritdoc />
    public sealed override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) => [Apply(Input(inputs, 0))];
}
