using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Gather</c>: entries of the data along <c>axis</c> at the given indices (negative indices count from the end);
/// the output shape is data.shape[:axis] + indices.shape + data.shape[axis+1:].
/// </summary>
[OnnxOperator("Gather", 1)]
[OnnxOperator("Gather", 11)]
[OnnxOperator("Gather", 13)]
public sealed class Gather : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var data = Input(inputs, 0);
        var indices = Input(inputs, 1).to_type(ScalarType.Int64);
        var axis = Axis(Node.Int("axis", 0), data.dim());
        var size = data.shape[axis];
        var normalised = where(indices.lt(RootedScalars.Of(0L)), indices.Plus(RootedScalars.Of(size)), indices);
        var picked = data.index_select(axis, normalised.flatten());
        var shape = data.shape[..(int)axis].Concat(indices.shape).Concat(data.shape[((int)axis + 1)..]).ToArray();
        return [picked.reshape(shape)];
    }
}

/// <summary><c>GatherElements</c>: torch.gather along <c>axis</c>, with negative indices counted from the end.</summary>
[OnnxOperator("GatherElements", 11)]
[OnnxOperator("GatherElements", 13)]
public sealed class GatherElements : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var data = Input(inputs, 0);
        var indices = Input(inputs, 1).to_type(ScalarType.Int64);
        var axis = Axis(Node.Int("axis", 0), data.dim());
        var normalised = where(indices.lt(RootedScalars.Of(0L)), indices.Plus(RootedScalars.Of(data.shape[axis])), indices);
        return [data.gather(axis, normalised)];
    }
}
