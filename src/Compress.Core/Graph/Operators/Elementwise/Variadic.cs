using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>Operators over one or more inputs combined pairwise with broadcasting (Max, Min, Sum, Mean).</summary>
public abstract class VariadicOperator : OnnxOperator
{
    /// <summary>Combines two inputs.</summary>
    protected abstract Tensor Combine(Tensor a, Tensor b);

    /// <summary>Finishes the result of combining <paramref name="count"/> inputs (Mean divides).</summary>
    protected virtual Tensor Finish(Tensor result, int count) => result;

    /// <inheritdoc />
    public sealed override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var present = inputs.Where(i => i is not null).Select(i => i!).ToList();
        if (present.Count == 0)
        {
            throw Node.Invalid("needs at least one input");
        }

        var result = present[0];
        for (var i = 1; i < present.Count; i++)
        {
            result = Combine(result, present[i]);
        }

        return [Finish(present.Count == 1 ? result.alias() : result, present.Count)];
    }
}

/// <summary><c>Max</c>: element-wise maximum of the inputs.</summary>
[OnnxOperator("Max", 8)]
[OnnxOperator("Max", 12)]
[OnnxOperator("Max", 13)]
public sealed class Max : VariadicOperator
{
    /// <inheritdoc />
    protected override Tensor Combine(Tensor a, Tensor b) => maximum(a, b);
}

/// <summary><c>Min</c>: element-wise minimum of the inputs.</summary>
[OnnxOperator("Min", 8)]
[OnnxOperator("Min", 12)]
[OnnxOperator("Min", 13)]
public sealed class Min : VariadicOperator
{
    /// <inheritdoc />
    protected override Tensor Combine(Tensor a, Tensor b) => minimum(a, b);
}

/// <summary><c>Sum</c>: element-wise sum of the inputs.</summary>
[OnnxOperator("Sum", 8)]
[OnnxOperator("Sum", 13)]
public sealed class Sum : VariadicOperator
{
    /// <inheritdoc />
    protected override Tensor Combine(Tensor a, Tensor b) => a.Plus(b);
}

/// <summary><c>Mean</c>: element-wise mean of the inputs.</summary>
[OnnxOperator("Mean", 8)]
[OnnxOperator("Mean", 13)]
public sealed class Mean : VariadicOperator
{
    /// <inheritdoc />
    protected override Tensor Combine(Tensor a, Tensor b) => a.Plus(b);

    /// <inheritdoc />
    protected override Tensor Finish(Tensor result, int count) => result / count;
}
