using System.Globalization;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Export;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Xunit.Abstractions;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Export;

/// <summary>
/// Pruned models exported with int8 weights: ONNX Runtime loads and runs them (int8 tensors in sparse_initializer
/// included), close to the float model; the executor on the same bytes matches ONNX Runtime within the 1e-4 parity
/// bar; every pruned zero stays exactly zero; the file shrinks.
/// </summary>
public sealed class QuantizedExportTests
{
    private readonly ITestOutputHelper _output;

    public QuantizedExportTests(ITestOutputHelper output)
    {
        _output = output;
        Compress.Runtime.TorchRuntime.Initialize();
    }

    /// <summary>
    /// The quantized model's outputs may differ from the float model's by at most this fraction of the float output's
    /// largest magnitude: each weight moves by at most half its channel's scale (max|w_c| / 254).
    /// </summary>
    private const double FloatTolerance = 0.01;

    /// <summary>What the pipeline does: quantizes the prunable weights.</summary>
    internal static QuantizedWeights Quantize(ModelProto model) => Int8WeightQuantizer.Apply(model, PrunableWeights.Reads(model));

    /// <summary>x[N,1,8,8] → Conv(8×1×3×3) → Relu → Flatten → Gemm(512×32) → Relu → MatMul(32×10), 70% of each weight zero.</summary>
    internal static ModelProto PrunedConvNet(int seed = 3)
    {
        var random = new Random(seed);
        float[] Weights(int n, double range)
        {
            var w = new float[n];
            for (var i = 0; i < n; i++)
            {
                w[i] = random.NextDouble() < 0.7 ? 0f : (float)(((random.NextDouble() * 2) - 1) * range);
            }

            return w;
        }

        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 1, 8, 8);
        var conv = b.Node("Conv", [x, b.Initializer("conv.weight", Weights(8 * 9, 0.8), 8, 1, 3, 3), b.Initializer("conv.bias", Weights(8, 0.1), 8)], ("pads", new long[] { 1, 1, 1, 1 }));
        var flat = b.Node("Flatten", [b.Node("Relu", [conv])]);
        var fc = b.Node("Relu", [b.Node("Gemm", [flat, b.Initializer("fc.weight", Weights(32 * 512, 0.2), 32, 512), b.Initializer("fc.bias", Weights(32, 0.1), 32)], ("transB", 1L))]);
        b.Output(b.Node("MatMul", [fc, b.Initializer("head.weight", Weights(32 * 10, 0.5), 32, 10)]));
        return b.Build();
    }

    [Fact]
    public void ConvNet_Int8Sparse_RunsInOrtCloseToFloat_ExecutorMatchesOrt_ZerosKept_FileSmaller()
    {
        var model = PrunedConvNet();
        var input = CaseTensor.Random("x", 5, -1, 1, 16, 1, 8, 8);

        var quantized = QuantizedExportTests.Quantize(model);
        var stored = SparseInitializers.Apply(quantized.Model, StorageMode.Sparse);
        var bytes = OnnxModelIO.Save(stored);

        Assert.Equal(["conv.weight", "fc.weight", "head.weight"], quantized.Quantized);
        Assert.Equal(
            [("conv.weight", 0L), ("fc.weight", 0L), ("head.weight", 1L)],
            quantized.Model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => (n.Output[0], n.Attribute.Single(a => a.Name == "axis").I)));

        // int8 weights go to sparse_initializer (ONNX Runtime 1.31 densifies them at load: the runs below prove it).
        Assert.Equal(
            ["conv.weight_quantized", "fc.weight_quantized", "head.weight_quantized"],
            stored.Graph.SparseInitializer.Where(s => s.Values.DataType == (int)DataType.Int8).Select(s => s.Values.Name).Order(StringComparer.Ordinal));

        // Every pruned zero stays exactly zero; the only new zeros are weights within half a step of 0 (|w| ≤ scale/2),
        // so the int8 zero count is the float zero count plus those, position by position.
        foreach (var name in quantized.Quantized)
        {
            var before = Values(model.Graph.Initializer.Single(t => t.Name == name));
            var after = Int8Values(stored.Graph.SparseInitializer.Single(s => s.Values.Name == name + "_quantized"));
            var scales = Values(quantized.Model.Graph.Initializer.Single(t => t.Name == name + "_scale"));
            var dims = model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();
            var axis = (int)quantized.Model.Graph.Node.Single(n => n.Output[0] == name).Attribute.Single(a => a.Name == "axis").I;
            var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
            var tiny = before.Select((v, i) => v != 0f && Math.Abs(v) <= scales[(int)(i / inner % dims[axis])] / 2).ToArray();
            Assert.Equal(before.Select((v, i) => v == 0f || tiny[i]), after.Select(v => v == 0));
            Assert.Equal(before.Count(v => v == 0f) + tiny.Count(t => t), after.Count(v => v == 0));
            Assert.True(before.Count(v => v == 0f) > before.Length / 2, name);
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {before.Count(v => v == 0f)} zeros float, {after.Count(v => v == 0)} int8 ({tiny.Count(t => t)} weights under half a step)"));
        }

        // Smaller than the same pruned model stored float and sparse.
        var floatBytes = OnnxModelIO.Save(SparseInitializers.Apply(model, StorageMode.Sparse));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dense float {OnnxModelIO.Save(model).Length} B, sparse float {floatBytes.Length} B, sparse int8 {bytes.Length} B"));
        // A sparse int8 weight costs 3 bytes per non-zero (value + int16 index) against 6 for float: about half.
        Assert.True(bytes.Length < floatBytes.Length * 0.6, $"{bytes.Length} vs {floatBytes.Length}");
        Assert.True(bytes.Length < OnnxModelIO.Save(model).Length * 0.3, $"{bytes.Length} vs dense {OnnxModelIO.Save(model).Length}");

        // ONNX Runtime on the int8 bytes stays close to the float model.
        var expected = (float[])OrtRunner.Run(model, [input]).Values.Single().Data;
        var actual = (float[])OrtRunner.Run(bytes, [input]).Values.Single().Data;
        var largest = expected.Max(Math.Abs);
        var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |float − int8| = {error:G4} (largest output {largest:G4}, {error / largest:P3})"));
        Assert.True(error > 0, "quantization changed nothing: the weights were not quantized");
        Assert.True(error <= FloatTolerance * largest, $"max error {error} over {FloatTolerance} × {largest}");

        // The executor running the same bytes agrees with ONNX Runtime within the parity bar (what CMP6001 checks).
        var batch = (float[])input.Data;
        var parity = BatchParity.Compare(OnnxModelIO.Load(bytes, "q.onnx"), bytes, batch, input.Shape, null);
        Assert.All(parity, p => Assert.True(p.Comparison.Passed, p.Comparison.Detail));
        Assert.Empty(ExportVerifier.Verify(OnnxModelIO.Load(bytes, "q.onnx"), bytes, batch, input.Shape, null));
    }

    [Theory]
    [InlineData(StorageMode.Sparse)]
    [InlineData(StorageMode.Dense)]
    public void Int8Bytes_ShuffledAndCompressed_DecodeToTheSameBytes_AndShrinkFurther(StorageMode storage)
    {
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(Quantize(PrunedConvNet()).Model, storage));

        var embedded = EmbeddedCompressor.Compress(bytes, EmbeddedCompression.Brotli, EmbeddedFilter.Shuffle);

        Assert.Equal(bytes, EmbeddedCompressor.Decompress(embedded, EmbeddedCompression.Brotli));
        Assert.True(embedded.Length < bytes.Length, $"{embedded.Length} vs {bytes.Length}");
        _output.WriteLine($"{storage}: {bytes.Length} B, shuffle + brotli {embedded.Length} B");
    }

    [Fact]
    public void Verify_AgainstTheFloatModel_FlagsTheQuantizationError_SoTheExecutorMustRunTheQuantizedBytes()
    {
        var model = PrunedConvNet();
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(QuantizedExportTests.Quantize(model).Model, StorageMode.Sparse));
        var input = CaseTensor.Random("x", 5, -1, 1, 16, 1, 8, 8);

        var problems = ExportVerifier.Verify(model, bytes, (float[])input.Data, input.Shape, null);

        Assert.Contains(problems, d => d.Code == Compress.Diagnostics.ExportMessages.ParityMismatchCode);
    }

    [Fact]
    public void GruFixture_PrunedAndQuantized_RunsInOrtCloseToFloat()
    {
        var fixture = ExportedFixtures.Get("gru_kws_op17");
        var model = Prune(PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path)));
        var inputs = fixture.RecordedInputs();

        var quantized = QuantizedExportTests.Quantize(model);
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(quantized.Model, StorageMode.Sparse));

        // The GRU's W and R are dequantized along their gates×hidden axis.
        var gru = quantized.Model.Graph.Node.Single(n => n.OpType == "GRU");
        var dequantizers = quantized.Model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").ToDictionary(n => n.Output[0], StringComparer.Ordinal);
        Assert.Equal(1L, dequantizers[gru.Input[1]].Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(1L, dequantizers[gru.Input[2]].Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(PrunableWeights.Operands(model).Where(o => o.IsPrunable).Select(o => o.Value).Distinct().Count(), quantized.Quantized.Count);

        var expected = OrtRunner.Run(model, inputs);
        var actual = OrtRunner.Run(bytes, inputs);
        foreach (var (name, want) in expected)
        {
            var e = (float[])want.Data;
            var a = (float[])actual[name].Data;
            var largest = e.Max(Math.Abs);
            var error = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: max |float − int8| = {error:G4} (largest {largest:G4}); float {OnnxModelIO.Save(SparseInitializers.Apply(model, StorageMode.Sparse)).Length} B, int8 {bytes.Length} B"));
            Assert.True(error <= 0.02 * largest, $"{name}: max error {error} over 2% of {largest}");
        }

        var (batch, shape) = ((float[])inputs[0].Data, inputs[0].Shape);
        if (inputs.Count == 1)
        {
            Assert.Empty(ExportVerifier.Verify(OnnxModelIO.Load(bytes, "q.onnx"), bytes, batch, shape, null));
        }
    }

    /// <summary>Zeros the half of each prunable weight with the smallest magnitudes (a one-shot magnitude pruning).</summary>
    private static ModelProto Prune(ModelProto model)
    {
        var result = model.Clone();
        foreach (var name in PrunableWeights.Operands(result).Where(o => o.IsPrunable).Select(o => o.Value).Distinct())
        {
            var index = result.Graph.Initializer.Select((t, i) => (t, i)).Single(p => p.t.Name == name).i;
            var tensor = result.Graph.Initializer[index];
            var values = Values(tensor);
            var threshold = values.Select(Math.Abs).Order().ElementAt(values.Length / 2);
            var pruned = values.Select(v => Math.Abs(v) < threshold ? 0f : v).ToArray();
            result.Graph.Initializer[index] = ModelBuilder.Tensor(name, pruned, [.. tensor.Dims]);
        }

        return result;
    }

    private static float[] Values(TensorProto tensor)
    {
        using var t = OnnxTensors.ToTorch(tensor);
        return t.data<float>().ToArray();
    }

    private static sbyte[] Int8Values(SparseTensorProto sparse)
    {
        using var t = OnnxTensors.ToTorch(sparse);
        Assert.Equal(ScalarType.Int8, t.dtype);
        return t.data<sbyte>().ToArray();
    }
}
