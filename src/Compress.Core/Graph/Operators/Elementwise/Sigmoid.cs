using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Sigmoid</c>: 1/(1+e⁻ˣ).</summary>
[OnnxOperator("Sigmoid", 6)]
[OnnxOperator("Sigmoid", 13)]
public sealed class Sigmoid : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.sigmoid();
}
