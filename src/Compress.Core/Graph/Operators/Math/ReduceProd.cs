using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceProd</c>: product over the axes.</summary>
[OnnxOperator("ReduceProd", 1)]
[OnnxOperator("ReduceProd", 11)]
[OnnxOperator("ReduceProd", 13)]
[OnnxOperator("ReduceProd", 18)]
public sealed class ReduceProd : ReduceOperator
{
    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims)
    {
        var y = x;
        foreach (var axis in axes.OrderDescending())
        {
            y = y.prod(axis, keepDims);
        }

        return y;
    }
}
