using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Mul</c>: a · b, with broadcasting.</summary>
[OnnxOperator("Mul", 7)]
[OnnxOperator("Mul", 13)]
[OnnxOperator("Mul", 14)]
public sealed class Mul : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a * b;
}
