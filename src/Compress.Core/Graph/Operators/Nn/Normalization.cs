using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>LayerNormalization</c> (17): normalises over the axes from <c>axis</c> (default −1) to the last with the biased
/// variance, then scales and shifts (Scale and B broadcast). The optional Mean and InvStdDev outputs are produced.
/// </summary>
[OnnxOperator("LayerNormalization", 17)]
public sealed class LayerNormalization : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var scale = Input(inputs, 1);
        var bias = Optional(inputs, 2);
        var axis = Axis(Node.Int("axis", -1), x.dim());
        var axes = Enumerable.Range((int)axis, (int)(x.dim() - axis)).Select(i => (long)i).ToArray();
        var epsilon = Node.Float("epsilon", 1e-5f);
        var mean = x.mean(axes, keepdim: true);
        var centred = x - mean;
        var invStd = (centred.square().mean(axes, keepdim: true) + epsilon).rsqrt();
        var y = centred * invStd * scale;
        if (bias is not null)
        {
            y = y.Plus(bias);
        }

        return [y, mean, invStd];
    }
}

/// <summary><c>InstanceNormalization</c>: per sample and channel over the spatial axes (biased variance), then per-channel scale and bias.</summary>
[OnnxOperator("InstanceNormalization", 6)]
public sealed class InstanceNormalization : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var scale = Input(inputs, 1);
        var bias = Input(inputs, 2);
        var axes = Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray();
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = -1;
        var mean = x.mean(axes, keepdim: true);
        var centred = x - mean;
        var y = centred * centred.square().mean(axes, keepdim: true).Plus(RootedScalars.Of(Node.Float("epsilon", 1e-5f))).rsqrt();
        return [(y * scale.reshape(shape)).Plus(bias.reshape(shape))];
    }
}
