using System.Runtime.InteropServices;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// Gradients through the executor equal central finite differences, in float64, for the operators training leans on.
/// The loss is a fixed random weighting of every output, so each output's gradient path is checked.
/// </summary>
public sealed class GradientTests
{
    private const double Step = 1e-6;

    public static TheoryData<string> Names => new() { "Conv", "ConvTranspose", "Gemm", "LSTM", "GRU_LinearBeforeReset0", "GRU_LinearBeforeReset1", "LayerNormalization" };

    private static double[] Values(int seed, long count, double scale)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, (int)count).Select(_ => ((random.NextDouble() * 2) - 1) * scale).ToArray();
    }

    private static string Weight(ModelBuilder b, string name, int seed, double scale, params long[] dims)
    {
        var values = Values(seed, dims.Aggregate(1L, (a, d) => a * d), scale);
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Double, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return b.Initializer(tensor);
    }

    private static (ModelProto Model, CaseTensor Input) Build(string name)
    {
        var b = new ModelBuilder(17);
        long[] shape = name switch
        {
            "Conv" => [2, 3, 6, 5],
            "ConvTranspose" => [1, 2, 3, 4],
            "Gemm" => [3, 5],
            "LayerNormalization" => [2, 3, 6],
            _ => [3, 2, 3],
        };
        var x = b.Input("x", DataType.Double, shape.Cast<object>().ToArray());
        string[] outputs = name switch
        {
            "Conv" => [b.Node("Conv", [x, Weight(b, "w", 1, 0.5, 4, 3, 3, 2), Weight(b, "b", 2, 0.2, 4)], ("pads", new long[] { 1, 0, 1, 1 }), ("strides", new long[] { 2, 1 }))],
            "ConvTranspose" => [b.Node("ConvTranspose", [x, Weight(b, "w", 1, 0.5, 2, 3, 3, 3), Weight(b, "b", 2, 0.2, 3)], ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 0, 1 }))],
            "Gemm" => [b.Node("Gemm", [x, Weight(b, "w", 1, 0.5, 4, 5), Weight(b, "c", 2, 0.2, 4)], ("transB", 1L), ("alpha", 0.7f))],
            "LayerNormalization" => [b.Node("LayerNormalization", [x, Weight(b, "scale", 1, 1.5, 6), Weight(b, "bias", 2, 0.5, 6)])],
            "LSTM" => b.Node("LSTM", [x, Weight(b, "W", 1, 0.6, 2, 16, 3), Weight(b, "R", 2, 0.6, 2, 16, 4), Weight(b, "B", 3, 0.3, 2, 32)], 3, "", ("hidden_size", 4L), ("direction", "bidirectional")),
            _ => b.Node("GRU", [x, Weight(b, "W", 1, 0.6, 2, 12, 3), Weight(b, "R", 2, 0.6, 2, 12, 4), Weight(b, "B", 3, 0.3, 2, 24)], 2, "",
                ("hidden_size", 4L), ("direction", "bidirectional"), ("linear_before_reset", name.EndsWith('1') ? 1L : 0L)),
        };
        foreach (var output in outputs)
        {
            b.Output(output, DataType.Double);
        }

        return (b.Build(), new CaseTensor("x", Values(9, shape.Aggregate(1L, (a, d) => a * d), 1.5), shape));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_MatchesFiniteDifferences(string name)
    {
        var (model, input) = Build(name);
        using var module = OnnxGraphModule.Create(model);
        module.eval();
        using var scope = NewDisposeScope();
        var feeds = new Dictionary<string, Tensor> { ["x"] = ExecutorRunner.ToTorch(input) };
        var coefficients = new Dictionary<string, Tensor>();

        Tensor Loss()
        {
            var total = zeros([], dtype: ScalarType.Float64);
            foreach (var (output, value) in module.Forward(feeds))
            {
                if (!coefficients.TryGetValue(output, out var c))
                {
                    coefficients[output] = c = tensor(Values(output.Length + coefficients.Count, value.numel(), 1), value.shape);
                }

                total = total + (value * c).sum();
            }

            return total;
        }

        Loss().backward();
        Assert.NotEmpty(module.OnnxParameters);
        foreach (var (parameter, p) in module.OnnxParameters)
        {
            var gradient = p.grad ?? throw new InvalidOperationException($"no gradient reached '{parameter}'");
            var flatGradient = gradient.flatten();
            var count = p.numel();
            foreach (var k in new[] { 0, count / 3, count / 2, count - 1 }.Distinct())
            {
                double plus, minus;
                using (no_grad())
                {
                    var element = p.view(-1)[k];
                    var original = element.item<double>();
                    element.fill_(original + Step);
                    plus = Loss().item<double>();
                    element.fill_(original - Step);
                    minus = Loss().item<double>();
                    element.fill_(original);
                }

                var numeric = (plus - minus) / (2 * Step);
                var analytic = flatGradient[k].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + (1e-5 * Math.Abs(analytic)), $"{name} d loss / d {parameter}[{k}]: backward {analytic}, finite difference {numeric}");
            }
        }
    }
}
