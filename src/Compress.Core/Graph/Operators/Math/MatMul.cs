using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>MatMul</c>: NumPy matmul semantics (batched, broadcast, 1-D promotion), as torch.matmul.</summary>
[OnnxOperator("MatMul", 9)]
[OnnxOperator("MatMul", 13)]
public sealed class MatMul : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) => MatMul(a, b);
}
