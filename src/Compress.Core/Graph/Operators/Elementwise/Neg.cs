using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Neg</c>: −x.</summary>
[OnnxOperator("Neg", 6)]
[OnnxOperator("Neg", 13)]
public sealed class Neg : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.neg();
}
