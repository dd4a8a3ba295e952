using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Reciprocal</c>: 1/x.</summary>
[OnnxOperator("Reciprocal", 6)]
[OnnxOperator("Reciprocal", 13)]
public sealed class Reciprocal : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.reciprocal();
}
