using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Dropout</c>: the identity in evaluation mode (what ONNX Runtime computes); in training mode each element is
/// zeroed with probability <c>ratio</c> (attribute before opset 12, optional input from 12; default 0.5) and the rest
/// scaled by 1/(1 − ratio). The optional mask output reports which elements were kept.
/// </summary>
[OnnxOperator("Dropout", 7)]
[OnnxOperator("Dropout", 10)]
[OnnxOperator("Dropout", 12)]
[OnnxOperator("Dropout", 13)]
public sealed class Dropout : OnnxOperator
{
    /// <inheritdoc />
    public override bool IsFoldable => false;

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var ratio = Node.SinceVersion < 12
            ? Node.Float("ratio", 0.5f)
            : Optional(inputs, 1) is { } r ? r.to_type(ScalarType.Float64).item<double>() : 0.5;
        var wantsMask = Node.Proto.Output.Count > 1 && Node.Proto.Output[1].Length > 0;
        if (!context.Training || ratio == 0)
        {
            return wantsMask ? [x.alias(), ones_like(x, ScalarType.Bool)] : [x.alias()];
        }

        // Rooted scalars, not `>= ratio` and `/ (1 - ratio)`: a transient one may be freed mid-call (RootedScalars).
        var keep = rand_like(x).ge(RootedScalars.Of(ratio));
        var y = (x * keep).DividedBy(1 - ratio);
        return wantsMask ? [y, keep] : [y];
    }
}
