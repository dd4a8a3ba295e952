using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Add</c>: a + b with broadcasting.</summary>
[OnnxOperator("Add", 7)]
[OnnxOperator("Add", 13)]
[OnnxOperator("Add", 14)]
public sealed class Add : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.Plus(b);
}
