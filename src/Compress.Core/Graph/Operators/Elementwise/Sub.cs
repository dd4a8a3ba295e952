using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Sub</c>: a − b, with broadcasting.</summary>
[OnnxOperator("Sub", 7)]
[OnnxOperator("Sub", 13)]
[OnnxOperator("Sub", 14)]
public sealed class Sub : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.Minus(b); // a - b, without its transient alpha (RootedScalars)
}
