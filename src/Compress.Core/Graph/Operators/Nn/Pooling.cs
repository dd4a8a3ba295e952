using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>MaxPool</c> (1-D and 2-D): kernel, strides, dilations, pads (asymmetric pads are applied as −∞ first),
/// ceil_mode and auto_pad. The optional Indices output is not supported.
/// </summary>
[OnnxOperator("MaxPool", 8)]
[OnnxOperator("MaxPool", 10)]
[OnnxOperator("MaxPool", 11)]
[OnnxOperator("MaxPool", 12)]
public sealed class MaxPool : OnnxOperator
{
    /// <inheritdoc />
    protected override void Initialize()
    {
        if (Node.Proto.Output.Count > 1 && Node.Proto.Output[1].Length > 0)
        {
            throw Node.Invalid("the Indices output is not supported");
        }
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var g = ConvGeometry.Read(Node, null);
        var ceil = Node.Int("ceil_mode", 0) != 0;
        var pads = g.PadsFor(x.shape[2..]);
        long[] symmetric;
        var torchLimit = g.Kernel.Select((k, i) => ((k - 1) * g.Dilations[i]) + 1).ToArray();
        if (ConvGeometry.IsSymmetric(pads) && pads.Take(g.SpatialRank).Select((p, i) => p * 2 <= torchLimit[i]).All(ok => ok))
        {
            symmetric = pads[..g.SpatialRank];
        }
        else
        {
            x = nn.functional.pad(x, ConvGeometry.TorchPadOrder(pads), TorchSharp.PaddingModes.Constant, double.NegativeInfinity);
            symmetric = new long[g.SpatialRank];
        }

        return g.SpatialRank switch
        {
            1 => [nn.functional.max_pool1d(x, g.Kernel[0], g.Strides[0], symmetric[0], g.Dilations[0], ceil)],
            2 => [nn.functional.max_pool2d(x, g.Kernel, g.Strides, symmetric, g.Dilations, ceil)],
            _ => throw Node.Invalid($"{g.SpatialRank}-D pooling is not supported (1-D and 2-D are)"),
        };
    }
}

/// <summary>
/// <c>AveragePool</c> (1-D and 2-D): kernel, strides, pads, ceil_mode, count_include_pad, auto_pad. Asymmetric pads
/// are applied explicitly and the divisor counts only real elements unless count_include_pad is 1.
/// </summary>
[OnnxOperator("AveragePool", 7)]
[OnnxOperator("AveragePool", 10)]
[OnnxOperator("AveragePool", 11)]
[OnnxOperator("AveragePool", 19)]
public sealed class AveragePool : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var g = ConvGeometry.Read(Node, null);
        if (g.Dilations.Any(d => d != 1))
        {
            throw Node.Invalid("dilations other than 1 are not supported");
        }

        var ceil = Node.Int("ceil_mode", 0) != 0;
        var includePad = Node.Int("count_include_pad", 0) != 0;
        var pads = g.PadsFor(x.shape[2..]);
        if (ConvGeometry.IsSymmetric(pads) && pads.Take(g.SpatialRank).Select((p, i) => p * 2 <= g.Kernel[i]).All(ok => ok))
        {
            return [Pool(x, g, pads[..g.SpatialRank], ceil, includePad)];
        }

        if (ceil)
        {
            throw Node.Invalid("asymmetric pads together with ceil_mode are not supported");
        }

        var padded = nn.functional.pad(x, ConvGeometry.TorchPadOrder(pads));
        var zero = new long[g.SpatialRank];
        var sums = Pool(padded, g, zero, false, true);
        if (includePad)
        {
            return [sums];
        }

        using var ones = ones_like(x);
        var counts = Pool(nn.functional.pad(ones, ConvGeometry.TorchPadOrder(pads)), g, zero, false, true);
        return [sums / counts];
    }

    private Tensor Pool(Tensor x, ConvGeometry g, long[] pads, bool ceil, bool includePad) => g.SpatialRank switch
    {
        1 => nn.functional.avg_pool1d(x, g.Kernel[0], g.Strides[0], pads[0], ceil, includePad),
        2 => nn.functional.avg_pool2d(x, g.Kernel, g.Strides, pads, ceil, includePad),
        _ => throw Node.Invalid($"{g.SpatialRank}-D pooling is not supported (1-D and 2-D are)"),
    };
}
