using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Cos</c>: cosine.</summary>
[OnnxOperator("Cos", 7)]
public sealed class Cos : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.cos();
}
