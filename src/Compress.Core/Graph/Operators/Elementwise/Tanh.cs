using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Tanh</c>: hyperbolic tangent.</summary>
[OnnxOperator("Tanh", 6)]
[OnnxOperator("Tanh", 13)]
public sealed class Tanh : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.tanh();
}
