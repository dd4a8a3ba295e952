using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Size</c>: the number of elements, as an int64 scalar.</summary>
[OnnxOperator("Size", 1)]
[OnnxOperator("Size", 13)]
[OnnxOperator("Size", 19)]
[OnnxOperator("Size", 21)]
public sealed class Size : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) =>
        [tensor(Input(inputs, 0).numel(), ScalarType.Int64)];
}
