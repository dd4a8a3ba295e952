using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Floor</c>: round down.</summary>
[OnnxOperator("Floor", 6)]
[OnnxOperator("Floor", 13)]
public sealed class Floor : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.floor();
}
