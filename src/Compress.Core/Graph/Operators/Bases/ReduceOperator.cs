using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// Reduce* operators: axes come from the <c>axes</c> attribute before <see cref="AxesInputSince"/> and from the
/// optional second input from then on; <c>keepdims</c> defaults to 1; with no axes every axis is reduced unless
/// <c>noop_with_empty_axes</c> is 1 (then the input passes through).
/// </summary>
public abstract class ReduceOperator : OnnxOperator
{
    private long[]? _attributeAxes;
    private bool _keepDims;
    private bool _noopWithEmptyAxes;

    /// <summary>The opset from which axes are an input (13 for ReduceSum, 18 for the others).</summary>
    protected virtual int AxesInputSince => 18;

    /// <inheritdoc />
    protected override void Initialize()
    {
        _keepDims = Node.Int("keepdims", 1) != 0;
        _noopWithEmptyAxes = Node.Int("noop_with_empty_axes", 0) != 0;
        if (Node.SinceVersion < AxesInputSince)
        {
            _attributeAxes = Node.Ints("axes");
        }
    }

    /// <summary>Reduces <paramref name="x"/> over <paramref name="axes"/> (non-negative, sorted, non-empty).</summary>
    protected abstract Tensor Reduce(Tensor x, long[] axes, bool keepDims);

    /// <inheritdoc />
    public sealed override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var axes = Node.SinceVersion < AxesInputSince
            ? _attributeAxes
            : Optional(inputs, 1) is { } axesTensor ? ToLongs(axesTensor) : null;
        if (axes is null || axes.Length == 0)
        {
            if (_noopWithEmptyAxes)
            {
                return [x];
            }

            axes = Enumerable.Range(0, (int)x.dim()).Select(i => (long)i).ToArray();
        }

        var normalised = axes.Select(a => Axis(a, x.dim())).Distinct().Order().ToArray();
        return [Reduce(x, normalised, _keepDims)];
    }
}
