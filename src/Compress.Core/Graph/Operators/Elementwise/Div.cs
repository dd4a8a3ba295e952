using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Div</c>: a / b with broadcasting; integer division truncates toward zero, as ONNX Runtime does.</summary>
[OnnxOperator("Div", 7)]
[OnnxOperator("Div", 13)]
[OnnxOperator("Div", 14)]
public sealed class Div : BinaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor a, Tensor b) =>
        a.is_floating_point() ? a / b : a.div(b, RoundingMode.trunc);
}
