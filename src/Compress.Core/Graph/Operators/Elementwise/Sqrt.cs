using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Sqrt</c>: √x.</summary>
[OnnxOperator("Sqrt", 6)]
[OnnxOperator("Sqrt", 13)]
public sealed class Sqrt : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.sqrt();
}
