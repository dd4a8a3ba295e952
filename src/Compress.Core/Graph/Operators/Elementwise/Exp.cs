using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Exp</c>: eˣ.</summary>
[OnnxOperator("Exp", 6)]
[OnnxOperator("Exp", 13)]
public sealed class Exp : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.exp();
}
