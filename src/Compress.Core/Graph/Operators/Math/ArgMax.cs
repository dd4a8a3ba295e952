using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ArgMax</c>: int64 index of the maximum along <c>axis</c>; the first one on ties, or the last with select_last_index (12).</summary>
[OnnxOperator("ArgMax", 1)]
[OnnxOperator("ArgMax", 11)]
[OnnxOperator("ArgMax", 12)]
[OnnxOperator("ArgMax", 13)]
public sealed class ArgMax : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x)
    {
        var axis = Axis(Node.Int("axis", 0), x.dim());
        var keep = Node.Int("keepdims", 1) != 0;
        if (Node.Int("select_last_index", 0) == 0)
        {
            return x.argmax(axis, keep);
        }

        var size = x.shape[axis];
        var lastFirst = x.flip(axis).argmax(axis, keep);
        return (size - 1) - lastFirst;
    }
}
