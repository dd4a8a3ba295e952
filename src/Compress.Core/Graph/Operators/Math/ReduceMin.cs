using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceMin</c>: minimum over the axes.</summary>
[OnnxOperator("ReduceMin", 1)]
[OnnxOperator("ReduceMin", 11)]
[OnnxOperator("ReduceMin", 12)]
[OnnxOperator("ReduceMin", 13)]
[OnnxOperator("ReduceMin", 18)]
[OnnxOperator("ReduceMin", 20)]
public sealed class ReduceMin : ReduceOperator
{
    /// <inheritdoc />
    protected override int AxesInputSince => 18;

    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims) => x.amin(axes, keepDims);
}
