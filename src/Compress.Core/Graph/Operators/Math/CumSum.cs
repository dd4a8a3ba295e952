using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>CumSum</c>: running sum along the axis input; <c>exclusive</c> shifts by one, <c>reverse</c> runs from the end.</summary>
[OnnxOperator("CumSum", 11)]
[OnnxOperator("CumSum", 14)]
public sealed class CumSum : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var axis = Axis(ToLongs(Input(inputs, 1))[0], x.dim());
        var exclusive = Node.Int("exclusive", 0) != 0;
        var reverse = Node.Int("reverse", 0) != 0;
        var y = reverse ? x.flip(axis) : x;
        var sum = y.cumsum(axis);
        if (exclusive)
        {
            sum = sum - y;
        }

        return [reverse ? sum.flip(axis) : sum];
    }
}
