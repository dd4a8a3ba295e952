using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Equal</c>: a = b (bool), with broadcasting.</summary>
[OnnxOperator("Equal", 11)]
[OnnxOperator("Equal", 13)]
[OnnxOperator("Equal", 19)]
public sealed class Equal : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.eq(b);
}
