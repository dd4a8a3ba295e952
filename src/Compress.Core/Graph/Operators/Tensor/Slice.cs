using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Slice</c>: starts/ends/axes/steps from attributes (before opset 10) or inputs; negative values count from the
/// end, out-of-range values are clamped as ONNX specifies (incl. INT_MAX ends), negative steps walk backwards.
/// </summary>
[OnnxOperator("Slice", 1)]
[OnnxOperator("Slice", 10)]
[OnnxOperator("Slice", 11)]
[OnnxOperator("Slice", 13)]
public sealed class Slice : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        long[] starts, ends;
        long[]? axes, steps = null;
        if (Node.SinceVersion < 10)
        {
            starts = Node.Ints("starts") ?? throw Node.Invalid("starts is required");
            ends = Node.Ints("ends") ?? throw Node.Invalid("ends is required");
            axes = Node.Ints("axes");
        }
        else
        {
            starts = ToLongs(Input(inputs, 1));
            ends = ToLongs(Input(inputs, 2));
            axes = Optional(inputs, 3) is { } a ? ToLongs(a) : null;
            steps = Optional(inputs, 4) is { } s ? ToLongs(s) : null;
        }

        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var y = x;
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = Axis(axes[i], x.dim());
            var size = x.shape[axis];
            var step = steps?[i] ?? 1;
            if (step == 0)
            {
                throw Node.Invalid("steps must not be 0");
            }

            var start = starts[i] < 0 ? starts[i] + size : starts[i];
            var end = ends[i] < 0 ? ends[i] + size : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                y = end > start ? y.slice(axis, start, end, step) : y.slice(axis, 0, 0, 1);
            }
            else
            {
                start = Math.Clamp(start, -1, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                if (start <= end)
                {
                    y = y.slice(axis, 0, 0, 1);
                    continue;
                }

                // Walk backwards: flip, then slice forwards.
                var flipped = y.flip(axis);
                var fStart = size - 1 - start;
                var fEnd = size - 1 - end;
                y = flipped.slice(axis, fStart, fEnd, -step);
            }
        }

        return [y];
    }
}
