using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Ceil</c>: round up.</summary>
[OnnxOperator("Ceil", 6)]
[OnnxOperator("Ceil", 13)]
public sealed class Ceil : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.ceil();
}
