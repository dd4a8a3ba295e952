using static TorchSharp.torch;

namespace Compress.Runtime;

/// <summary>One convolution configuration of the self-test (channels-first, batch 2).</summary>
/// <param name="Dims">1 (Conv1d over <paramref name="Length"/> frames) or 2 (Conv2d over Length × (Length − 5)).</param>
public sealed record ConvolutionCase(string Name, int Dims, int InChannels, int OutChannels, int Kernel, int Stride, int Dilation, int Padding, int Groups, int Length)
{
    /// <summary>E.g. "conv1d 40→48 k3 s1 d2 p2 g1 L49".</summary>
    public override string ToString() =>
        $"conv{Dims}d {InChannels}→{OutChannels} k{Kernel} s{Stride} d{Dilation} p{Padding} g{Groups} L{Length}";
}

/// <summary>The largest error of libtorch's float32 result against the float64 reference, forward and backward.</summary>
/// <param name="ForwardError">max |libtorch float32 − float64 reference| of the output.</param>
/// <param name="BackwardError">max |float32 − float64| of the input and weight gradients (a sum of the outputs as the loss).</param>
/// <param name="Scale">max |reference| of the output and gradients; the tolerance is <see cref="ConvolutionSelfTest.RelativeTolerance"/> × max(1, Scale).</param>
public sealed record ConvolutionCaseResult(ConvolutionCase Case, double ForwardError, double BackwardError, double Scale)
{
    /// <summary>True when forward and backward are within tolerance.</summary>
    public bool Passed => Math.Max(ForwardError, BackwardError) <= ConvolutionSelfTest.RelativeTolerance * Math.Max(1, Scale);
}

/// <summary>
/// Checks libtorch's float32 convolutions on this machine against references that do not use its float32 kernels:
/// the forward pass against a direct float64 convolution written here, the gradients against libtorch in float64
/// (which oneDNN does not handle, so it takes the reference path). The cases include the shapes that oneDNN 3.7.1's
/// AVX-512 kernels get wrong (see <see cref="OneDnnGuard"/>) and controls. Used by <c>dotnet compress doctor</c>
/// and the tests; takes well under a second.
/// </summary>
public static class ConvolutionSelfTest
{
    /// <summary>Allowed error relative to max(1, the largest reference magnitude): float32 rounding is ~1e-6.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>The default cases: the affected shapes (TCN over 40 mel bins, an embedding CNN's 24-channel layer) and controls.</summary>
    public static IReadOnlyList<ConvolutionCase> Cases { get; } =
    [
        new("tcn-stem", 1, 40, 48, 3, 1, 1, 1, 1, 49),
        new("tcn-dilated", 1, 40, 48, 3, 1, 2, 2, 1, 98),
        new("tcn-strided-dilated", 1, 40, 48, 3, 2, 4, 4, 1, 49),
        new("embedding-cnn", 2, 24, 24, 3, 1, 1, 1, 1, 32),
        new("embedding-cnn-strided", 2, 24, 24, 3, 2, 1, 1, 1, 32),
        new("odd-channels", 2, 20, 36, 3, 1, 1, 1, 1, 24),
        new("control-aligned-1d", 1, 48, 48, 3, 1, 2, 2, 1, 49),
        new("control-aligned-2d", 2, 64, 64, 3, 1, 1, 1, 1, 24),
        new("control-depthwise", 2, 64, 64, 3, 1, 1, 1, 64, 24),
        new("control-single-input-channel", 2, 1, 32, 3, 2, 1, 1, 1, 32),
    ];

    /// <summary>The libtorch call a case makes (batch 2, bias), for <see cref="OneDnnVetting"/>.</summary>
    public static ConvolutionShape ShapeOf(ConvolutionCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        const int batch = 2;
        return c.Dims == 1
            ? new([batch, c.InChannels, c.Length], [c.OutChannels, c.InChannels / c.Groups, c.Kernel], true, [c.Stride], [c.Padding], [c.Dilation], c.Groups)
            : new([batch, c.InChannels, c.Length, c.Length - 5], [c.OutChannels, c.InChannels / c.Groups, c.Kernel, c.Kernel], true, [c.Stride, c.Stride], [c.Padding, c.Padding], [c.Dilation, c.Dilation], c.Groups);
    }

    /// <summary>Runs <paramref name="cases"/> (default <see cref="Cases"/>) with a fixed seed.</summary>
    public static IReadOnlyList<ConvolutionCaseResult> Run(IEnumerable<ConvolutionCase>? cases = null)
    {
        TorchRuntime.Initialize();
        var results = new List<ConvolutionCaseResult>();
        var random = new Random(20261206);
        foreach (var c in cases ?? Cases)
        {
            results.Add(RunCase(c, random));
        }

        return results;
    }

    private static ConvolutionCaseResult RunCase(ConvolutionCase c, Random random)
    {
        var shape = ShapeOf(c);
        var (inputShape, weightShape) = (shape.Input, shape.Weight);
        var x = Values(random, inputShape, 1.0);
        var w = Values(random, weightShape, Math.Sqrt(1.0 / (c.InChannels / c.Groups * Math.Pow(c.Kernel, c.Dims))));
        var b = Values(random, [c.OutChannels], 0.1);

        using var scope = NewDisposeScope();
        var (forward, gradX, gradW) = Torch(c, x, w, b, inputShape, weightShape, ScalarType.Float32);
        var (_, refGradX, refGradW) = Torch(c, x, w, b, inputShape, weightShape, ScalarType.Float64);
        var reference = DirectConvolution(c, x, w, b, inputShape);

        var forwardError = MaxDifference(forward, reference);
        var backwardError = Math.Max(MaxDifference(gradX, refGradX), MaxDifference(gradW, refGradW));
        var scale = new[] { reference, refGradX, refGradW }.Max(a => a.Max(Math.Abs));
        return new ConvolutionCaseResult(c, forwardError, backwardError, scale);
    }

    private static (double[] Output, double[] GradX, double[] GradW) Torch(
        ConvolutionCase c, double[] x, double[] w, double[] b, long[] inputShape, long[] weightShape, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var xt = tensor(x, inputShape).to_type(type).requires_grad_();
        var wt = tensor(w, weightShape).to_type(type).requires_grad_();
        var bt = tensor(b, [c.OutChannels]).to_type(type);
        var y = c.Dims == 1
            ? nn.functional.conv1d(xt, wt, bt, c.Stride, c.Padding, c.Dilation, c.Groups)
            : nn.functional.conv2d(xt, wt, bt, [c.Stride, c.Stride], [c.Padding, c.Padding], [c.Dilation, c.Dilation], c.Groups);
        y.sum().backward();
        return (Doubles(y), Doubles(xt.grad!), Doubles(wt.grad!));
    }

    private static double[] Doubles(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>The textbook convolution (cross-correlation, zero padding) in float64.</summary>
    internal static double[] DirectConvolution(ConvolutionCase c, double[] x, double[] w, double[] b, long[] inputShape)
    {
        var n = (int)inputShape[0];
        var h = c.Dims == 1 ? 1 : (int)inputShape[2];
        var width = (int)inputShape[^1];
        var kh = c.Dims == 1 ? 1 : c.Kernel;
        var (ph, sh, dh) = c.Dims == 1 ? (0, 1, 1) : (c.Padding, c.Stride, c.Dilation);
        int OutSize(int size, int pad, int k, int stride, int dilation) => ((size + (2 * pad) - (dilation * (k - 1)) - 1) / stride) + 1;
        var oh = OutSize(h, ph, kh, sh, dh);
        var ow = OutSize(width, c.Padding, c.Kernel, c.Stride, c.Dilation);
        var inPerGroup = c.InChannels / c.Groups;
        var outPerGroup = c.OutChannels / c.Groups;
        var y = new double[n * c.OutChannels * oh * ow];
        for (var i = 0; i < n; i++)
        {
            for (var o = 0; o < c.OutChannels; o++)
            {
                var group = o / outPerGroup;
                for (var r = 0; r < oh; r++)
                {
                    for (var col = 0; col < ow; col++)
                    {
                        var sum = b[o];
                        for (var ci = 0; ci < inPerGroup; ci++)
                        {
                            var channel = (group * inPerGroup) + ci;
                            for (var u = 0; u < kh; u++)
                            {
                                var row = (r * sh) - ph + (u * dh);
                                if (row < 0 || row >= h)
                                {
                                    continue;
                                }

                                for (var v = 0; v < c.Kernel; v++)
                                {
                                    var column = (col * c.Stride) - c.Padding + (v * c.Dilation);
                                    if (column >= 0 && column < width)
                                    {
                                        sum += x[(((((i * c.InChannels) + channel) * h) + row) * width) + column]
                                            * w[(((((o * inPerGroup) + ci) * kh) + u) * c.Kernel) + v];
                                    }
                                }
                            }
                        }

                        y[(((((i * c.OutChannels) + o) * oh) + r) * ow) + col] = sum;
                    }
                }
            }
        }

        return y;
    }

    /// <summary>Uniform values in [-scale, scale] from <paramref name="random"/>, one per element of <paramref name="shape"/>.</summary>
    internal static double[] Values(Random random, long[] shape, double scale)
    {
        var values = new double[shape.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    private static double MaxDifference(double[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
        {
            return double.PositiveInfinity;
        }

        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        }

        return max;
    }
}
