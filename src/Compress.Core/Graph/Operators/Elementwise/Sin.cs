using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Sin</c>: sine.</summary>
[OnnxOperator("Sin", 7)]
public sealed class Sin : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.sin();
}
