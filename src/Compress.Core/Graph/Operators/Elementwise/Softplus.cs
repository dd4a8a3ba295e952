using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Softplus</c>: ln(1+eˣ).</summary>
[OnnxOperator("Softplus", 1)]
public sealed class Softplus : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => nn.functional.softplus(x);
}
