using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Gemm</c>: alpha·op(A)·op(B) + beta·C, op = optional transpose, C broadcast (optional since 11).</summary>
[OnnxOperator("Gemm", 9)]
[OnnxOperator("Gemm", 11)]
[OnnxOperator("Gemm", 13)]
public sealed class Gemm : OnnxOperator
{
    private float _alpha;
    private float _beta;
    private bool _transA;
    private bool _transB;

    /// <inheritdoc />
    protected override void Initialize()
    {
        _alpha = Node.Float("alpha", 1f);
        _beta = Node.Float("beta", 1f);
        _transA = Node.Int("transA", 0) != 0;
        _transB = Node.Int("transB", 0) != 0;
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var a = Input(inputs, 0);
        var b = Input(inputs, 1);
        if (a.dim() != 2 || b.dim() != 2)
        {
            throw Node.Failed($"A and B must be matrices, not rank {a.dim()} and {b.dim()}");
        }

        var y = MatMul(_transA ? a.t() : a, _transB ? b.t() : b);
        if (_alpha != 1f)
        {
            y = y.Times(_alpha);
        }

        if (Optional(inputs, 2) is { } c)
        {
            y = _beta == 1f ? y.Plus(c) : y.Plus(c.Times(_beta));
        }

        return [y];
    }
}
