using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Pad</c>: constant (with a value), reflect or edge padding; pads [x1_begin, ..., x1_end, ...] from the attribute
/// (before 11) or the input, optionally only on <c>axes</c> (18). Negative pads crop.
/// </summary>
[OnnxOperator("Pad", 2)]
[OnnxOperator("Pad", 11)]
[OnnxOperator("Pad", 13)]
[OnnxOperator("Pad", 18)]
[OnnxOperator("Pad", 19)]
[OnnxOperator("Pad", 21)]
public sealed class Pad : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var rank = x.dim();
        long[] pads;
        double value;
        if (Node.SinceVersion < 11)
        {
            pads = Node.Ints("pads") ?? throw Node.Invalid("pads is required");
            value = Node.Float("value", 0);
        }
        else
        {
            pads = ToLongs(Input(inputs, 1));
            value = Optional(inputs, 2) is { } v && v.numel() > 0 ? v.to_type(ScalarType.Float64).flatten()[0].item<double>() : 0;
        }

        var axes = Optional(inputs, 3) is { } a ? ToLongs(a).Select(ax => Axis(ax, rank)).ToArray() : Enumerable.Range(0, (int)rank).Select(i => (long)i).ToArray();
        if (pads.Length != 2 * axes.Length)
        {
            throw Node.Invalid($"pads has {pads.Length} values for {axes.Length} axes");
        }

        var full = new long[2 * rank];
        for (var i = 0; i < axes.Length; i++)
        {
            full[axes[i]] = pads[i];
            full[axes[i] + rank] = pads[i + axes.Length];
        }

        var mode = Node.String("mode", "constant") switch
        {
            "constant" => TorchSharp.PaddingModes.Constant,
            "reflect" => TorchSharp.PaddingModes.Reflect,
            "edge" => TorchSharp.PaddingModes.Replicate,
            var other => throw Node.Invalid($"mode '{other}' is not one of constant, reflect, edge"),
        };

        if (mode == TorchSharp.PaddingModes.Constant)
        {
            return [nn.functional.pad(x, ConvGeometry.TorchPadOrder(full), mode, value)];
        }

        // torch pads only the trailing dimensions in reflect/replicate modes: move padded axes last, one at a time.
        var y = x;
        for (var axis = 0; axis < rank; axis++)
        {
            if (full[axis] == 0 && full[axis + rank] == 0)
            {
                continue;
            }

            var moved = y.movedim([axis], [rank - 1]);
            var shape = moved.shape;
            var padded = nn.functional.pad(moved.reshape(-1, 1, shape[^1]), [full[axis], full[axis + rank]], mode);
            shape[^1] = padded.shape[^1];
            y = padded.reshape(shape).movedim([rank - 1], [axis]);
        }

        return [y];
    }
}
