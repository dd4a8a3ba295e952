using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceMean</c>: arithmetic mean over the axes.</summary>
[OnnxOperator("ReduceMean", 1)]
[OnnxOperator("ReduceMean", 11)]
[OnnxOperator("ReduceMean", 13)]
[OnnxOperator("ReduceMean", 18)]
public sealed class ReduceMean : ReduceOperator
{
    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims) => x.mean(axes, keepDims);
}
