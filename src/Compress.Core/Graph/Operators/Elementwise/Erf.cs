using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Erf</c>: the error function.</summary>
[OnnxOperator("Erf", 9)]
[OnnxOperator("Erf", 13)]
public sealed class Erf : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.erf();
}
