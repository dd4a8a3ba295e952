using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Pow</c>: aᵇ with broadcasting; the result has the base's type (the exponent may be another numeric type).</summary>
[OnnxOperator("Pow", 7)]
[OnnxOperator("Pow", 12)]
[OnnxOperator("Pow", 13)]
[OnnxOperator("Pow", 15)]
public sealed class Pow : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => a.pow(b.to_type(a.dtype));
}
