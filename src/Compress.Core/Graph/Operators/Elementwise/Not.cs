using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Not</c>: logical negation of a bool tensor.</summary>
[OnnxOperator("Not", 1)]
public sealed class Not : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.logical_not();
}
