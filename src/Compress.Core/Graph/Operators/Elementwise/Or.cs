using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Or</c>: logical or of bool tensors, with broadcasting.</summary>
[OnnxOperator("Or", 7)]
public sealed class Or : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.logical_or(b);
}
