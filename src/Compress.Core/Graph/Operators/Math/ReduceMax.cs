using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceMax</c>: maximum over the axes.</summary>
[OnnxOperator("ReduceMax", 1)]
[OnnxOperator("ReduceMax", 11)]
[OnnxOperator("ReduceMax", 12)]
[OnnxOperator("ReduceMax", 13)]
[OnnxOperator("ReduceMax", 18)]
[OnnxOperator("ReduceMax", 20)]
public sealed class ReduceMax : ReduceOperator
{
    /// <inheritdoc />
    protected override int AxesInputSince => 18;

    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims) => x.amax(axes, keepDims);
}
