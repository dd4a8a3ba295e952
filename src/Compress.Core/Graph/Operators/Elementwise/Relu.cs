using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Relu</c>: max(x, 0).</summary>
[OnnxOperator("Relu", 6)]
[OnnxOperator("Relu", 14)]
public sealed class Relu : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => nn.functional.relu(x);
}
