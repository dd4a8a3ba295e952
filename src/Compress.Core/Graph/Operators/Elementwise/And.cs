using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>And</c>: logical and of bool tensors, with broadcasting.</summary>
[OnnxOperator("And", 7)]
public sealed class And : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.logical_and(b);
}
