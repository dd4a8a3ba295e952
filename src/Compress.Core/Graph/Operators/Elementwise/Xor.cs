using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Xor</c>: logical exclusive or of bool tensors, with broadcasting.</summary>
[OnnxOperator("Xor", 7)]
public sealed class Xor : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.logical_xor(b);
}
