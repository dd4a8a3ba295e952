using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>GreaterOrEqual</c>: a ≥ b (bool), with broadcasting.</summary>
[OnnxOperator("GreaterOrEqual", 12)]
[OnnxOperator("GreaterOrEqual", 16)]
public sealed class GreaterOrEqual : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.ge(b);
}
