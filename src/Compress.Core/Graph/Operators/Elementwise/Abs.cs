using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Abs</c>: |x|.</summary>
[OnnxOperator("Abs", 6)]
[OnnxOperator("Abs", 13)]
public sealed class Abs : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.abs();
}
