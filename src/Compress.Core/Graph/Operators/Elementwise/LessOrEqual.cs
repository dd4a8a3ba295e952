using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>LessOrEqual</c>: a ≤ b (bool), with broadcasting.</summary>
[OnnxOperator("LessOrEqual", 12)]
[OnnxOperator("LessOrEqual", 16)]
public sealed class LessOrEqual : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.le(b);
}
