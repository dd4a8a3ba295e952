using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Flatten</c>: [d0..d(axis-1)] and [d(axis)..] become the two dimensions of a matrix (axis may be negative since 11).</summary>
[OnnxOperator("Flatten", 1)]
[OnnxOperator("Flatten", 9)]
[OnnxOperator("Flatten", 11)]
[OnnxOperator("Flatten", 13)]
[OnnxOperator("Flatten", 21)]
public sealed class Flatten : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x)
    {
        var rank = x.dim();
        var axis = Node.Int("axis", 1);
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis > rank)
        {
            throw Node.Invalid($"axis {Node.Int("axis", 1)} is out of range for rank {rank}");
        }

        var outer = x.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
        return x.reshape(outer, -1);
    }
}
