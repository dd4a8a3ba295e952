using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>GlobalAveragePool</c>: the mean over every spatial axis, kept as size-1 axes.</summary>
[OnnxOperator("GlobalAveragePool", 1)]
public sealed class GlobalAveragePool : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.mean(Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray(), keepdim: true);
}

/// <summary><c>GlobalMaxPool</c>: the maximum over every spatial axis, kept as size-1 axes.</summary>
[OnnxOperator("GlobalMaxPool", 1)]
public sealed class GlobalMaxPool : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x)
    {
        var y = x;
        for (var axis = x.dim() - 1; axis >= 2; axis--)
        {
            y = y.amax([axis], keepdim: true);
        }

        return y;
    }
}
