using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Expand</c>: broadcasts the input against the given shape (both may grow the other's size-1 axes).</summary>
[OnnxOperator("Expand", 8)]
[OnnxOperator("Expand", 13)]
public sealed class Expand : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var shape = ToLongs(Input(inputs, 1));
        var rank = Math.Max(shape.Length, x.dim());
        var target = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var fromShape = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
            var fromInput = i - (rank - x.dim()) >= 0 ? x.shape[i - (rank - x.dim())] : 1;
            target[i] = fromShape == 1 ? fromInput : fromShape;
        }

        return [x.expand(target).contiguous()];
    }
}

/// <summary><c>Tile</c>: repeats the input <c>repeats[i]</c> times along each axis.</summary>
[OnnxOperator("Tile", 6)]
[OnnxOperator("Tile", 13)]
public sealed class Tile : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) =>
        [Input(inputs, 0).repeat(ToLongs(Input(inputs, 1)))];
}
