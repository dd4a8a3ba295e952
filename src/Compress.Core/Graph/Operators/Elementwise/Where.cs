using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Where</c>: x where the condition holds, else y, all three broadcast.</summary>
[OnnxOperator("Where", 9)]
[OnnxOperator("Where", 16)]
public sealed class Where : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) =>
        [where(Input(inputs, 0).to_type(ScalarType.Bool), Input(inputs, 1), Input(inputs, 2))];
}
