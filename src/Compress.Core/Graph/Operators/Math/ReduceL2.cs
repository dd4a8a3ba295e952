using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>ReduceL2</c>: Euclidean norm (√Σx²) over the axes.</summary>
[OnnxOperator("ReduceL2", 1)]
[OnnxOperator("ReduceL2", 11)]
[OnnxOperator("ReduceL2", 13)]
[OnnxOperator("ReduceL2", 18)]
public sealed class ReduceL2 : ReduceOperator
{
    /// <inheritdoc />
    protected override int AxesInputSince => 18;

    /// <inheritdoc />
    protected override Tensor Reduce(Tensor x, long[] axes, bool keepDims) => x.square().sum(axes, keepDims).sqrt();
}
