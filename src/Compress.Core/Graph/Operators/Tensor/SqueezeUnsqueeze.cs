using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Squeeze</c>: removes size-1 axes (all of them when no axes are given); axes attribute before 13, input from 13.</summary>
[OnnxOperator("Squeeze", 1)]
[OnnxOperator("Squeeze", 11)]
[OnnxOperator("Squeeze", 13)]
[OnnxOperator("Squeeze", 21)]
public sealed class Squeeze : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var axes = Node.SinceVersion < 13 ? Node.Ints("axes") : Optional(inputs, 1) is { } a ? ToLongs(a) : null;
        if (axes is null)
        {
            return [x.reshape(x.shape.Where(d => d != 1).ToArray())];
        }

        var drop = axes.Select(a => Axis(a, x.dim())).ToHashSet();
        foreach (var axis in drop.Where(axis => x.shape[axis] != 1))
        {
            throw Node.Invalid($"axis {axis} has size {x.shape[axis]}, not 1");
        }

        return [x.reshape(x.shape.Where((_, i) => !drop.Contains(i)).ToArray())];
    }
}

/// <summary><c>Unsqueeze</c>: inserts size-1 axes at the given positions of the output; axes attribute before 13, input from 13.</summary>
[OnnxOperator("Unsqueeze", 1)]
[OnnxOperator("Unsqueeze", 11)]
[OnnxOperator("Unsqueeze", 13)]
[OnnxOperator("Unsqueeze", 21)]
public sealed class Unsqueeze : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var axes = Node.SinceVersion < 13
            ? Node.Ints("axes") ?? throw Node.Invalid("axes is required")
            : ToLongs(Input(inputs, 1));
        var rank = x.dim() + axes.Length;
        var inserted = axes.Select(a => Axis(a, rank)).ToHashSet();
        var shape = new List<long>();
        var source = 0;
        for (var i = 0; i < rank; i++)
        {
            shape.Add(inserted.Contains(i) ? 1 : x.shape[source++]);
        }

        return [x.reshape(shape.ToArray())];
    }
}
