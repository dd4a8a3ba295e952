using System.Diagnostics;
using System.Globalization;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Export;

/// <summary>
/// Whole models with int8 weights and activations: the QDQ pairs land where ONNX Runtime fuses them, graph inputs and
/// outputs keep their names, the export check (executor vs ONNX Runtime with its fused kernels) passes, and the outputs
/// stay close to the float model's. Each test also prints the numbers docs/quantization.md quotes: error against
/// float, file size and ONNX Runtime latency (1 thread, the three files interleaved, median).
/// </summary>
[Collection(Compress.Core.Tests.Training.TorchThreadsCollection.Name)]
public sealed class ActivationQuantizedModelTests
{
    /// <summary>Interleaved rounds of the latency measurement (each runs the three files once).</summary>
    private const int LatencyRounds = 400;

    private readonly ITestOutputHelper _output;

    public ActivationQuantizedModelTests(ITestOutputHelper output)
    {
        _output = output;
        Compress.Runtime.TorchRuntime.Initialize();
    }

    [Fact]
    public void ConvNet_Int8Activations_FusedByOrt_ExportCheckPasses_CloseToFloat()
    {
        var model = QuantizedExportTests.PrunedConvNet();
        var calibration = Enumerable.Range(0, 8).Select(s => Batch(CaseTensor.Random("x", 200 + s, -1, 1, 16, 1, 8, 8))).ToList();
        var input = CaseTensor.Random("x", 5, -1, 1, 16, 1, 8, 8);

        var (quantized, sites) = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions());

        // Conv's input x and its output with the Relu folded in (v1), the Flatten's output read by the Gemm (v2), the
        // Gemm's output with its Relu folded in, also the head MatMul's input (v4); the logits (a graph output) stay
        // float. The two Relus are gone.
        _output.WriteLine($"sites: {string.Join(", ", sites.Select(s => s.FusedRelu is null ? s.Tensor : s.Tensor + " (Relu folded)"))}");
        Assert.Equal(["x", "v1", "v2", "v4"], sites.Select(s => s.Tensor));
        Assert.Equal(2, sites.Count(s => s.FusedRelu is not null));
        Assert.DoesNotContain(quantized.Model.Graph.Node, n => n.OpType == "Relu");
        Assert.Equal(["conv.bias", "fc.bias"], quantized.Biases);
        Assert.Equal(model.Graph.Input.Select(i => i.Name), quantized.Model.Graph.Input.Select(i => i.Name));
        Assert.Equal(model.Graph.Output.Select(o => o.Name), quantized.Model.Graph.Output.Select(o => o.Name));
        var percentile = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions(Method: CalibrationMethod.Percentile)).Model.Model;
        Measure("Conv/Gemm/MatMul test net", model, quantized.Model, percentile, input, largestErrorFraction: 0.05);
    }

    [Fact]
    public void GruFixture_Int8Activations_GruStaysFloat_ExportCheckPasses_CloseToFloat()
    {
        var fixture = ExportedFixtures.Get("gru_kws_op17");
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path));
        var input = fixture.RecordedInputs().Single();
        var recorded = (float[])input.Data;
        var (low, high) = (recorded.Min(), recorded.Max());
        var calibration = Enumerable.Range(0, 8).Select(s => Batch(CaseTensor.Random(input.Name, 300 + s, low, high, input.Shape))).ToList();

        var (quantized, sites) = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions());

        // The GRU reads float: no QDQ pair feeds it, its weights keep 8 bits behind their DequantizeLinear.
        var gru = quantized.Model.Graph.Node.Single(n => n.OpType == "GRU");
        var producers = quantized.Model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);
        Assert.NotEqual("DequantizeLinear", producers.GetValueOrDefault(gru.Input[0])?.OpType);
        Assert.NotEmpty(sites);
        _output.WriteLine($"sites: {string.Join(", ", sites.Select(s => s.FusedRelu is null ? s.Tensor : s.Tensor + " (Relu folded)"))}");
        var percentile = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions(Method: CalibrationMethod.Percentile)).Model.Model;
        Measure("gru_kws_op17 fixture (not pruned)", model, quantized.Model, percentile, input, largestErrorFraction: 0.05);
    }

    [Fact]
    public void SampleDsCnn_Int8Activations_ExportCheckPasses_CloseToFloat()
    {
        // The sample's dense keyword spotter (12 classes, 40×49 log-mel input), not pruned, calibrated on noise: the
        // ranges are not those of speech, so the error here is an upper bound; the point is latency on a model with
        // real layer sizes.
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(Path.Combine(Compress.Tests.Shared.PackagedTool.RepositoryRoot, "samples", "AppWithModel", "model", "kws-dense.onnx")));
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue).ToArray();
        var name = model.Graph.Input[0].Name;
        var calibration = Enumerable.Range(0, 8).Select(s => Batch(CaseTensor.Random(name, 400 + s, -1, 1, [16, .. dims]))).ToList();
        var input = CaseTensor.Random(name, 9, -1, 1, [16, .. dims]);

        var (quantized, sites) = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions());

        Assert.NotEmpty(sites);
        var percentile = ActivationQuantizationTests.QuantizeAll(model, calibration, new CalibrationOptions(Method: CalibrationMethod.Percentile)).Model.Model;
        Measure("sample DS-CNN (dense, kws-dense.onnx)", model, quantized.Model, percentile, input, largestErrorFraction: 0.25);
    }

    /// <param name="percentile">The same quantization calibrated with <see cref="CalibrationMethod.Percentile"/> (printed only).</param>
    private void Measure(string name, ModelProto model, ModelProto quantized, ModelProto percentile, CaseTensor input, double largestErrorFraction)
    {
        var floatBytes = OnnxModelIO.Save(SparseInitializers.Apply(model, StorageMode.Sparse));
        var weightsOnly = OnnxModelIO.Save(SparseInitializers.Apply(QuantizedExportTests.Quantize(model).Model, StorageMode.Sparse));
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(quantized, StorageMode.Sparse));

        // The export check: the executor's QDQ arithmetic against ONNX Runtime's fused integer kernels.
        Assert.Empty(ExportVerifier.Verify(OnnxModelIO.Load(bytes, "q.onnx"), bytes, (float[])input.Data, input.Shape, null, quantizedActivations: true));
        var fused = ActivationQuantizationTests.RunFused(bytes, input, out var ops);
        Assert.Contains(ops, o => o.StartsWith("QLinear", StringComparison.Ordinal) || o == "QGemm");
        _output.WriteLine($"{name}: ORT runs {string.Join(", ", ops.GroupBy(o => o).Select(g => $"{g.Key}×{g.Count()}"))}");

        var expected = ActivationQuantizationTests.RunFused(floatBytes, input, out _);
        var weightsOnlyOut = ActivationQuantizationTests.RunFused(weightsOnly, input, out _);
        var percentileOut = ActivationQuantizationTests.RunFused(OnnxModelIO.Save(percentile), input, out _);
        foreach (var (output, want) in expected)
        {
            var e = (float[])want.Data;
            var a = (float[])fused[output].Data;
            var w = (float[])weightsOnlyOut[output].Data;
            var largest = e.Max(Math.Abs);
            var error = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
            var weightError = e.Zip(w, (x, y) => Math.Abs(x - y)).Max();
            var percentileError = e.Zip((float[])percentileOut[output].Data, (x, y) => Math.Abs(x - y)).Max();
            var classes = (int)want.Shape[^1];
            var agree = Enumerable.Range(0, e.Length / classes).Count(r => ArgMax(e, r, classes) == ArgMax(a, r, classes));
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} '{output}': max |float − int8 weights| {weightError:G3}, max |float − int8 weights+activations| {error:G3} (minmax), {percentileError:G3} (percentile 99.99) (largest output {largest:G3}); top-1 agrees on {agree} of {e.Length / classes} rows"));
            Assert.True(error <= largestErrorFraction * largest, $"{output}: {error} over {largestErrorFraction} × {largest}");
        }

        _output.WriteLine($"{name}: sparse float {floatBytes.Length:N0} B, int8 weights {weightsOnly.Length:N0} B, int8 weights+activations {bytes.Length:N0} B");
        var one = Slice(input);
        var (f, wo, wa) = Latency(floatBytes, weightsOnly, bytes, one);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: ORT latency, 1 thread, batch 1, median of {LatencyRounds} interleaved: float {f:0.0000} ms, int8 weights {wo:0.0000} ms, int8 weights+activations {wa:0.0000} ms"));
    }

    /// <summary>Median milliseconds per run of each file, the three run in turn each round.</summary>
    private static (double Float, double Weights, double Activations) Latency(byte[] a, byte[] b, byte[] c, CaseTensor input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var sa = new InferenceSession(a, options);
        using var sb = new InferenceSession(b, options);
        using var sc = new InferenceSession(c, options);
        InferenceSession[] sessions = [sa, sb, sc];
        var times = sessions.Select(_ => new List<double>()).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory((float[])input.Data, input.Shape);
        using var runOptions = new RunOptions();
        for (var round = -20; round < LatencyRounds; round++)
        {
            for (var s = 0; s < sessions.Length; s++)
            {
                var start = Stopwatch.GetTimestamp();
                using var results = sessions[s].Run(runOptions, [input.Name], [value], sessions[s].OutputNames);
                if (round >= 0)
                {
                    times[s].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        }

        double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
        return (Median(times[0]), Median(times[1]), Median(times[2]));
    }

    private static (float[], long[]) Batch(CaseTensor t) => ((float[])t.Data, t.Shape);

    /// <summary>The first item of a batch, as a batch of 1.</summary>
    private static CaseTensor Slice(CaseTensor t)
    {
        var data = (float[])t.Data;
        var size = data.Length / (int)t.Shape[0];
        return new CaseTensor(t.Name, data[..size], [1, .. t.Shape[1..]]);
    }

    private static int ArgMax(float[] values, int row, int classes)
    {
        var best = 0;
        for (var i = 1; i < classes; i++)
        {
            best = values[(row * classes) + i] > values[(row * classes) + best] ? i : best;
        }

        return best;
    }
}
