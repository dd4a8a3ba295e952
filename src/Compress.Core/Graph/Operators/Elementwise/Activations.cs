using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>LeakyRelu</c>: x for x ≥ 0, alpha·x otherwise (alpha default 0.01).</summary>
[OnnxOperator("LeakyRelu", 6)]
[OnnxOperator("LeakyRelu", 16)]
public sealed class LeakyRelu : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => nn.functional.leaky_relu(x, Node.Float("alpha", 0.01f));
}

/// <summary><c>Elu</c>: x for x ≥ 0, alpha·(eˣ − 1) otherwise (alpha default 1).</summary>
[OnnxOperator("Elu", 6)]
public sealed class Elu : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => nn.functional.elu(x, Node.Float("alpha", 1f));
}

/// <summary><c>Selu</c>: gamma·(x for x &gt; 0, alpha·(eˣ − 1) otherwise), with ONNX's default constants.</summary>
[OnnxOperator("Selu", 6)]
public sealed class Selu : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x)
    {
        var alpha = Node.Float("alpha", 1.67326319217681884765625f);
        var gamma = Node.Float("gamma", 1.05070102214813232421875f);
        return where(x.gt(RootedScalars.Of(0.0)), x, x.expm1().Times(alpha)).Times(gamma);
    }
}

/// <summary><c>Gelu</c> (opset 20): x·Φ(x), or its tanh approximation when approximate = "tanh".</summary>
[OnnxOperator("Gelu", 20)]
public sealed class Gelu : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => Node.String("approximate", "none") switch
    {
        "none" => x.Times(0.5).mul(x.DividedBy(Math.Sqrt(2)).erf().Plus(RootedScalars.Of(1.0))),
        "tanh" => x.Times(0.5).mul(x.Plus(x.pow(RootedScalars.Of(3L)).Times(0.044715)).Times(Math.Sqrt(2 / Math.PI)).tanh().Plus(RootedScalars.Of(1.0))),
        var other => throw Node.Invalid($"approximate '{other}' is not one of none, tanh"),
    };
}

/// <summary><c>HardSigmoid</c>: max(0, min(1, alpha·x + beta)) (alpha 0.2, beta 0.5).</summary>
[OnnxOperator("HardSigmoid", 6)]
public sealed class HardSigmoid : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.Times(Node.Float("alpha", 0.2f)).Plus(RootedScalars.Of(Node.Float("beta", 0.5f))).clamp(RootedScalars.Of(0.0), RootedScalars.Of(1.0));
}

/// <summary><c>HardSwish</c>: x·max(0, min(1, x/6 + 0.5)).</summary>
[OnnxOperator("HardSwish", 14)]
public sealed class HardSwish : UnaryOperator
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor x) => x.mul(x.DividedBy(6.0).Plus(RootedScalars.Of(0.5)).clamp(RootedScalars.Of(0.0), RootedScalars.Of(1.0)));
}
