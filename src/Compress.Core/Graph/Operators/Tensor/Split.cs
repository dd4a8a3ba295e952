using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Split</c>: along <c>axis</c> into the sizes of <c>split</c> (attribute before 13, input from 13), or into equal
/// parts for each output (from 18, <c>num_outputs</c> with a smaller last part when it does not divide).
/// </summary>
[OnnxOperator("Split", 2)]
[OnnxOperator("Split", 11)]
[OnnxOperator("Split", 13)]
[OnnxOperator("Split", 18)]
public sealed class Split : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var axis = Axis(Node.Int("axis", 0), x.dim());
        var size = x.shape[axis];
        var sizes = Node.SinceVersion < 13 ? Node.Ints("split") : Optional(inputs, 1) is { } s ? ToLongs(s) : null;
        if (sizes is null)
        {
            var parts = Node.SinceVersion >= 18 && Node.Has("num_outputs") ? Node.RequiredInt("num_outputs") : Node.Proto.Output.Count;
            var chunk = (size + parts - 1) / parts;
            sizes = Enumerable.Range(0, (int)parts).Select(i => Math.Max(0, Math.Min(chunk, size - (i * chunk)))).ToArray();
        }

        if (sizes.Sum() != size)
        {
            throw Node.Invalid($"split sizes [{string.Join(",", sizes)}] do not add up to the axis size {size}");
        }

        return x.split(sizes, axis);
    }
}
