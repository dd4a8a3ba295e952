using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceSum</c>: sum over the axes.</summary>
[OnnxOperator("ReduceSum", 1)]
[OnnxOperator("ReduceSum", 11)]
[OnnxOperator("ReduceSum", 13)]
public sealed class ReduceSum : ReduceOperator
{
    /// <inheritdoc />
    protected override int AxesInputSince => 13;

    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims) => x.sum(axes, keepDims);
}
