using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Greater</c>: a &gt; b (bool), with broadcasting.</summary>
[OnnxOperator("Greater", 9)]
[OnnxOperator("Greater", 13)]
public sealed class Greater : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.gt(b);
}
