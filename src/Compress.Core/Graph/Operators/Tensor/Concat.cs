using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Concat</c>: joins the inputs along <c>axis</c> (may be negative from 11).</summary>
[OnnxOperator("Concat", 4)]
[OnnxOperator("Concat", 11)]
[OnnxOperator("Concat", 13)]
public sealed class Concat : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var parts = inputs.Where(i => i is not null).Select(i => i!).ToList();
        var axis = Axis(Node.RequiredInt("axis"), parts[0].dim());
        return [cat(parts, axis)];
    }
}
