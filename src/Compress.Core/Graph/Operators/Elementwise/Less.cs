using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Less</c>: a &lt; b (bool), with broadcasting.</summary>
[OnnxOperator("Less", 9)]
[OnnxOperator("Less", 13)]
public sealed class Less : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.lt(b);
}
