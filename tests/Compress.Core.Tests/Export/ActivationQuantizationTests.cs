using System.Globalization;
using Compress.Core.Tests.Graph;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Export;

/// <summary>
/// Static int8 activations (<see cref="Int8ActivationQuantizer"/>) per quantized operator: ONNX Runtime with its
/// default options fuses the QDQ pairs into integer kernels, and the executor's float simulation of the same QDQ graph
/// agrees with it within <see cref="Lsb"/> steps of the output's quantization scale, on inputs other than the
/// calibration ones.
/// </summary>
[Collection(Compress.Core.Tests.Training.TorchThreadsCollection.Name)]
public sealed class ActivationQuantizationTests
{
    /// <summary>The stated agreement of a quantized output, in steps of its scale (uint8 values).</summary>
    private const int Lsb = 1;

    private readonly ITestOutputHelper _output;

    public ActivationQuantizationTests(ITestOutputHelper output)
    {
        _output = output;
        Compress.Runtime.TorchRuntime.Initialize();
    }

    public static TheoryData<string> Operators => ["Conv", "DepthwiseConv", "ConvRelu", "MatMul", "Gemm"];

    [Theory]
    [MemberData(nameof(Operators))]
    public void QuantizedOperator_OrtFused_MatchesExecutor_WithinOneLsb(string op)
    {
        var (model, shape) = SingleOperator(op);
        var calibration = Enumerable.Range(0, 4).Select(s => ((float[])CaseTensor.Random("x", 100 + s, -1, 1, shape).Data, shape)).ToList();
        var (quantized, sites) = QuantizeAll(model, calibration, new CalibrationOptions());
        var site = sites.Single(s => s.Tensor != "x");

        // Expose the operator's uint8 output (what the fused integer kernel writes) next to the float output.
        var exposed = quantized.Model.Clone();
        var q = exposed.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == site.Source).Output[0];
        exposed.Graph.Output.Add(ModelBuilder.ValueInfo(q, DataType.Uint8));
        var bytes = OnnxModelIO.Save(exposed);

        var input = CaseTensor.Random("x", 7, -1, 1, shape);
        var ort = RunFused(bytes, input, out var fusedOps);
        var executor = ExecutorRunner.Run(OnnxModelIO.Load(bytes, "q.onnx"), [input]);

        var expected = (byte[])executor[q].Data;
        var actual = (byte[])ort[q].Data;
        var differences = expected.Zip(actual, (e, a) => Math.Abs(e - a)).ToList();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{op}: ORT ran [{string.Join(", ", fusedOps)}]; {differences.Count(d => d > 0)} of {differences.Count} outputs differ, max {differences.Max()} LSB"));
        Assert.True(differences.Max() <= Lsb, $"max {differences.Max()} LSB");
        Assert.Contains(fusedOps, o => o.StartsWith("QLinear", StringComparison.Ordinal) || o.StartsWith("QGemm", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Conv", "QLinearConv")]
    [InlineData("DepthwiseConv", "QLinearConv")]
    [InlineData("Gemm", "QGemm")]
    public void BiasScale_IsAMulOfTheInputAndWeightScales_NotStored_AndOrtStillFuses(string op, string fusedOp)
    {
        var (model, shape) = SingleOperator(op);
        var calibration = Enumerable.Range(0, 4).Select(s => ((float[])CaseTensor.Random("x", 100 + s, -1, 1, shape).Data, shape)).ToList();
        var (quantized, _) = QuantizeAll(model, calibration, new CalibrationOptions());
        var graph = quantized.Model.Graph;
        var node = graph.Node.Single(n => n.OpType == (op == "Gemm" ? "Gemm" : "Conv"));
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);

        // B ← DequantizeLinear(int32, Mul(x's scale, w's scale)): the per-channel product is computed, not stored.
        var biasDq = producers[node.Input[2]];
        var mul = producers[biasDq.Input[1]];
        Assert.Equal("DequantizeLinear", biasDq.OpType);
        Assert.Equal("Mul", mul.OpType);
        Assert.Equal([producers[node.Input[0]].Input[1], producers[node.Input[1]].Input[1]], mul.Input);
        Assert.All(mul.Input, i => Assert.Contains(graph.Initializer, t => t.Name == i));
        Assert.DoesNotContain(graph.Initializer, t => t.Name == biasDq.Input[1]);

        // The int32 bias is the float bias over exactly the float product the Mul computes (one step at most).
        float[] Floats(string name) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(graph.Initializer.Single(t => t.Name == name).RawData.Span).ToArray();
        var bias = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(model.Graph.Initializer.Single(t => t.Name == "b").RawData.Span).ToArray();
        var q = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(graph.Initializer.Single(t => t.Name == biasDq.Input[0]).RawData.Span).ToArray();
        var inputScale = Floats(mul.Input[0])[0];
        var weightScale = Floats(mul.Input[1]);
        Assert.Equal(bias.Length, q.Length);
        for (var c = 0; c < bias.Length; c++)
        {
            var scale = inputScale * weightScale[c];
            Assert.Equal(Math.Round(bias[c] / (double)scale, MidpointRounding.ToEven), q[c]);
        }

        // ONNX Runtime folds the Mul and still fuses the node into its integer kernel; the executor agrees (export check).
        var bytes = OnnxModelIO.Save(quantized.Model);
        var input = CaseTensor.Random("x", 7, -1, 1, shape);
        RunFused(bytes, input, out var ops);
        Assert.Contains(fusedOp, ops);
        Assert.DoesNotContain("Mul", ops);
        Assert.DoesNotContain(node.OpType, ops);
        Assert.Empty(ExportVerifier.Verify(OnnxModelIO.Load(bytes, "q.onnx"), bytes, (float[])input.Data, input.Shape, null, quantizedActivations: true));
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void FullRangeWeights_SaturateOrtsIntegerKernels_AndTheExportCheckCatchesIt(string op)
    {
        // 8-bit weights under uint8 activations: ONNX Runtime's u8 × s8 kernels on AVX2 without VNNI add pairs of products
        // in int16 with saturation, so the fused kernel computes something the graph does not say. Not every CPU
        // saturates (VNNI does not), so this only asserts when ONNX Runtime does.
        var (model, shape) = SingleOperator(op);
        var calibration = Enumerable.Range(0, 4).Select(s => ((float[])CaseTensor.Random("x", 100 + s, -1, 1, shape).Data, shape)).ToList();
        var (quantized, _) = QuantizeAll(model, calibration, new CalibrationOptions(), Int8WeightQuantizer.FullRange);
        var bytes = OnnxModelIO.Save(quantized.Model);
        var input = CaseTensor.Random("x", 7, -1, 1, shape);

        var reduced = OnnxModelIO.Save(QuantizeAll(model, calibration, new CalibrationOptions()).Model.Model);
        var fullProblems = ExportVerifier.Verify(OnnxModelIO.Load(bytes, "q.onnx"), bytes, (float[])input.Data, input.Shape, null, quantizedActivations: true);
        var reducedProblems = ExportVerifier.Verify(OnnxModelIO.Load(reduced, "q.onnx"), reduced, (float[])input.Data, input.Shape, null, quantizedActivations: true);
        _output.WriteLine($"{op}: full-range weights: {string.Join("; ", fullProblems.Select(p => p.Message))}");

        Assert.Empty(reducedProblems);
        var saturates = System.Runtime.Intrinsics.X86.Avx2.IsSupported && !HasVnni() && op != "DepthwiseConv";
        if (saturates)
        {
            Assert.NotEmpty(fullProblems);
        }
    }

    [Theory]
    [InlineData(0f, 2.55f, 0.01f, 0)]
    [InlineData(-1.28f, 1.27f, 0.01f, 128)]
    [InlineData(0.5f, 2.55f, 0.01f, 0)]
    [InlineData(-2.55f, -1f, 0.01f, 255)]
    [InlineData(0f, 0f, 1f, 0)]
    public void ScaleAndZeroPoint_CoverTheRangeWidenedToZero_WithZeroExact(float min, float max, float scale, int zeroPoint)
    {
        var (s, z) = Int8ActivationQuantizer.ScaleAndZeroPoint(new ActivationRange(min, max));

        Assert.Equal(scale, s, 6);
        Assert.Equal(zeroPoint, z);
    }

    [Fact]
    public void Calibrate_MinMaxKeepsTheExtremes_PercentileClipsTheOutliers()
    {
        var b = new ModelBuilder(17);
        var hidden = b.Node("Neg", [b.Input("x", DataType.Float, "N", 1000)]);
        b.Output(b.Node("Neg", [hidden]));
        var model = b.Build();
        // -x over two batches: 0.000 .. 0.999 and one outlier of -100 (x = 100).
        var first = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToArray();
        var second = (float[])first.Clone();
        second[^1] = 100f;
        (float[], long[])[] batches = [(first, [1, 1000]), (second, [1, 1000])];

        var minmax = ActivationCalibrator.Calibrate(model, [hidden], batches, new CalibrationOptions(Method: CalibrationMethod.MinMax))[hidden];
        var percentile = ActivationCalibrator.Calibrate(model, [hidden], batches, new CalibrationOptions(Method: CalibrationMethod.Percentile, Percentile: 99))[hidden];

        Assert.Equal(new ActivationRange(-100f, 0f), minmax);
        Assert.Equal(0f, percentile.Max);
        Assert.InRange(percentile.Min, -1.03f, -0.97f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNormFolding_RemovesTheNorm_KeepsZeros_AndComputesTheSame(bool convBias)
    {
        var random = new Random(5);
        float[] Values(int n, double low, double high) => [.. Enumerable.Range(0, n).Select(_ => (float)(low + (random.NextDouble() * (high - low))))];
        var weights = Values(8 * 4 * 9, -0.5, 0.5);
        weights[0] = weights[40] = 0f;
        var b = new ModelBuilder(17);
        string[] convInputs = convBias
            ? [b.Input("x", DataType.Float, "N", 4, 6, 6), b.Initializer("w", weights, 8, 4, 3, 3), b.Initializer("b", Values(8, -0.2, 0.2), 8)]
            : [b.Input("x", DataType.Float, "N", 4, 6, 6), b.Initializer("w", weights, 8, 4, 3, 3)];
        var conv = b.Node("Conv", convInputs, ("pads", new long[] { 1, 1, 1, 1 }));
        var norm = b.Node("BatchNormalization", [conv, b.Initializer("g", Values(8, 0.5, 2), 8), b.Initializer("beta", Values(8, -1, 1), 8), b.Initializer("mean", Values(8, -1, 1), 8), b.Initializer("var", Values(8, 0.1, 3), 8)], ("epsilon", 1e-3f));
        b.Output(b.Node("Relu", [norm]));
        var model = b.Build();
        var input = CaseTensor.Random("x", 3, -1, 1, 2, 4, 6, 6);

        var (folded, count) = BatchNormFolding.Apply(model);

        Assert.Equal(1, count);
        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.DoesNotContain(folded.Graph.Initializer, t => t.Name is "g" or "beta" or "mean" or "var");
        using (var f = Compress.Onnx.OnnxTensors.ToTorch(folded.Graph.Initializer.Single(t => t.Name == "w")))
        {
            Assert.True(f.data<float>()[0] == 0f && f.data<float>()[40] == 0f);
        }

        var expected = (float[])OrtRunner.Run(model, [input]).Values.Single().Data;
        var actual = (float[])OrtRunner.Run(folded, [input]).Values.Single().Data;
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 + (1e-5 * Math.Abs(p.First)), $"{p.First} vs {p.Second}"));
    }

    /// <summary>Whether the CPU has AVX-VNNI or AVX512-VNNI (8-bit dot products without int16 saturation).</summary>
    internal static bool HasVnni() =>
        System.Runtime.Intrinsics.X86.AvxVnni.IsSupported
        || (File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains("vnni", StringComparison.Ordinal));

    /// <summary>Weights, then activations: what the pipeline does.</summary>
    internal static (QuantizedActivations Model, IReadOnlyList<ActivationSite> Sites) QuantizeAll(ModelProto model, IReadOnlyList<(float[], long[])> calibration, CalibrationOptions options, int maxLevel = Int8WeightQuantizer.ReducedRange)
    {
        if (maxLevel == Int8WeightQuantizer.ReducedRange)
        {
            var q = Int8ModelQuantizer.Apply(model, PrunableWeights.Reads(model), null, (folded, tensors) => ActivationCalibrator.Calibrate(folded, tensors, calibration, options));
            return (q.Activations, Int8ActivationQuantizer.Sites(BatchNormFolding.Apply(model).Model, q.Weights));
        }

        // Full-range weights: the steps by hand, to show what 8 bits do to ONNX Runtime's kernels.
        var weights = Int8WeightQuantizer.Apply(model, PrunableWeights.Reads(model), maxLevel);
        var sites = Int8ActivationQuantizer.Sites(model, weights.Quantized);
        var ranges = ActivationCalibrator.Calibrate(model, sites.Select(s => s.Tensor).ToList(), calibration, options);
        return (Int8ActivationQuantizer.Apply(weights.Model, sites, ranges), sites);
    }

    /// <summary>ONNX Runtime with default session options (all fusions), and the op types of the graph it ran.</summary>
    internal static Dictionary<string, CaseTensor> RunFused(byte[] bytes, CaseTensor input, out IReadOnlyList<string> ops)
    {
        var optimized = Path.Combine(Path.GetTempPath(), $"actq-{Guid.NewGuid():N}.onnx");
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, OptimizedModelFilePath = optimized };
            using var session = new InferenceSession(bytes, options);
            using var value = OrtValue.CreateTensorValueFromMemory((float[])input.Data, input.Shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [input.Name], [value], session.OutputNames);
            var outputs = new Dictionary<string, CaseTensor>();
            for (var i = 0; i < session.OutputNames.Count; i++)
            {
                var info = results[i].GetTensorTypeAndShape();
                outputs[session.OutputNames[i]] = info.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt8
                    ? new(session.OutputNames[i], results[i].GetTensorDataAsSpan<byte>().ToArray(), info.Shape)
                    : new(session.OutputNames[i], results[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
            }

            ops = [.. OnnxModelIO.Load(File.ReadAllBytes(optimized), optimized).Graph.Node.Select(n => n.OpType)];
            return outputs;
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    /// <summary>x → the operator (int8 weight, float bias) → Sigmoid → y; the operator's output is quantized.</summary>
    private static (ModelProto Model, long[] Shape) SingleOperator(string op)
    {
        var random = new Random(11);
        float[] Values(int n, double range) => [.. Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * range))];
        var b = new ModelBuilder(17);
        long[] shape;
        string y;
        switch (op)
        {
            case "Conv":
            case "ConvRelu":
                shape = [2, 4, 8, 8];
                y = b.Node("Conv", [b.Input("x", DataType.Float, "N", 4, 8, 8), b.Initializer("w", Values(8 * 4 * 9, 0.5), 8, 4, 3, 3), b.Initializer("b", Values(8, 0.2), 8)], ("pads", new long[] { 1, 1, 1, 1 }));
                y = op == "ConvRelu" ? b.Node("Relu", [y]) : y;
                break;
            case "DepthwiseConv":
                shape = [2, 8, 8, 8];
                y = b.Node("Conv", [b.Input("x", DataType.Float, "N", 8, 8, 8), b.Initializer("w", Values(8 * 9, 0.5), 8, 1, 3, 3), b.Initializer("b", Values(8, 0.2), 8)], ("pads", new long[] { 1, 1, 1, 1 }), ("group", 8L));
                break;
            case "MatMul":
                shape = [2, 6, 16];
                y = b.Node("MatMul", [b.Input("x", DataType.Float, "N", 6, 16), b.Initializer("w", Values(16 * 12, 0.5), 16, 12)]);
                break;
            case "Gemm":
                shape = [4, 16];
                y = b.Node("Gemm", [b.Input("x", DataType.Float, "N", 16), b.Initializer("w", Values(12 * 16, 0.5), 12, 16), b.Initializer("b", Values(12, 0.2), 12)], ("transB", 1L));
                break;
            default:
                throw new ArgumentException(op, nameof(op));
        }

        b.Output(b.Node("Sigmoid", [y]));
        return (b.Build(), shape);
    }
}
