using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Log</c>: natural logarithm.</summary>
[OnnxOperator("Log", 6)]
[OnnxOperator("Log", 13)]
public sealed class Log : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.log();
}
