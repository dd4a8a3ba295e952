using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Einsum</c>: Einstein summation with the <c>equation</c> attribute (explicit or implicit output, ellipsis).</summary>
[OnnxOperator("Einsum", 12)]
public sealed class Einsum : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var equation = Node.String("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Length == 0)
        {
            throw Node.Invalid("equation is required");
        }

        return [einsum(equation, inputs.Select(i => i!).ToArray())];
    }
}
