using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Transpose</c>: permutes axes by <c>perm</c> (default: reversed).</summary>
[OnnxOperator("Transpose", 1)]
[OnnxOperator("Transpose", 13)]
[OnnxOperator("Transpose", 21)]
public sealed class Transpose : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x)
    {
        var perm = Node.Ints("perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
        return x.permute(perm);
    }
}
