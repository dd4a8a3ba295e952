using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Identity</c>: the input, unchanged.</summary>
[OnnxOperator("Identity", 1)]
[OnnxOperator("Identity", 13)]
[OnnxOperator("Identity", 14)]
[OnnxOperator("Identity", 16)]
[OnnxOperator("Identity", 19)]
[OnnxOperator("Identity", 21)]
public sealed class Identity : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x;
}
