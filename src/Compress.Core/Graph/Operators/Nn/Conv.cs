using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Conv</c> (1-D and 2-D): groups (incl. depthwise), dilations, strides, explicit pads (asymmetric ones are
/// applied with a zero pad first) and auto_pad; optional bias.
/// </summary>
[OnnxOperator("Conv", 1)]
[OnnxOperator("Conv", 11)]
public sealed class Conv : OnnxOperator
{
    private long _group;

    /// <inheritdoc />
    protected override void Initialize() => _group = Node.Int("group", 1);

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var w = Input(inputs, 1);
        var bias = Optional(inputs, 2);
        var geometry = ConvGeometry.Read(Node, w.shape[2..]);
        var rank = geometry.SpatialRank;
        if (x.dim() != rank + 2)
        {
            throw Node.Invalid($"input has rank {x.dim()} but the kernel has {rank} spatial dimensions");
        }

        var pads = geometry.PadsFor(x.shape[2..]);
        long[] symmetric;
        if (ConvGeometry.IsSymmetric(pads))
        {
            symmetric = pads[..rank];
        }
        else
        {
            x = nn.functional.pad(x, ConvGeometry.TorchPadOrder(pads));
            symmetric = new long[rank];
        }

        Runtime.ConvolutionRecorder.Record(() => new Runtime.ConvolutionShape(
            x.shape, w.shape, bias is not null, geometry.Strides.ToArray(), symmetric, geometry.Dilations.ToArray(), _group));
        return rank switch
        {
            1 => [nn.functional.conv1d(x, w, bias, geometry.Strides[0], symmetric[0], geometry.Dilations[0], _group)],
            2 => [nn.functional.conv2d(x, w, bias, geometry.Strides, symmetric, geometry.Dilations, _group)],
            _ => throw Node.Invalid($"{rank}-D convolution is not supported (1-D and 2-D are)"),
        };
    }
}
