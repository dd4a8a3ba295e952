using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Shape</c>: the input's shape as int64, optionally sliced by <c>start</c>/<c>end</c> (since 15).</summary>
[OnnxOperator("Shape", 1)]
[OnnxOperator("Shape", 13)]
[OnnxOperator("Shape", 15)]
public sealed class Shape : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var shape = Input(inputs, 0).shape;
        long rank = shape.Length;
        var start = Clamp(Node.Int("start", 0), rank);
        var end = Node.Has("end") ? Clamp(Node.Int("end", rank), rank) : rank;
        var slice = start < end ? shape[(int)start..(int)end] : [];
        return [tensor(slice, dtype: ScalarType.Int64)];
    }

    private static long Clamp(long index, long rank) => Math.Clamp(index < 0 ? index + rank : index, 0, rank);
}
