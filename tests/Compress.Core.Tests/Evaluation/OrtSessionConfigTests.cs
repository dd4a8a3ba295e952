using System.Globalization;
using Compress.Core.Tests.Export;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Evaluation;
using Compress.Export;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Evaluation;

/// <summary>
/// The ONNX Runtime session configuration a model ships with: int8 weights alone record
/// <c>session.disable_quant_qdq = 1</c> in the model's metadata, and every measurement (<see cref="OrtClassifier"/>:
/// gate, eval, latency) applies what the metadata records, so it runs the graph the app runs with the accessor's entries.
/// </summary>
public sealed class OrtSessionConfigTests
{
    private static readonly string[] Labels = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];

    private readonly ITestOutputHelper _output;

    public OrtSessionConfigTests(ITestOutputHelper output)
    {
        _output = output;
        Compress.Runtime.TorchRuntime.Initialize();
    }

    [Fact]
    public void Int8Weights_AreMeasuredWithTheRecordedConfig_WhichComputesExactlyTheDequantizedGraph()
    {
        var quantized = QuantizedExportTests.Quantize(QuantizedExportTests.PrunedConvNet()).Model;
        Metadata(ModelMetadata.SessionConfigFor(Int8WeightQuantizer.Scheme)).WriteTo(quantized);
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(quantized, StorageMode.Sparse));
        var input = CaseTensor.Random("x", 5, -1, 1, 16, 1, 8, 8);
        // The float weights the int8 ones stand for: every DequantizeLinear of a constant evaluated, the rest unchanged.
        var dequantized = ConstantFolding.Fold(quantized).Model;
        Assert.DoesNotContain(dequantized.Graph.Node, n => n.OpType == "DequantizeLinear");
        var expected = (float[])OrtRunner.Run(dequantized, [input]).Values.Single().Data;

        using var configured = new OrtClassifier(bytes, threads: 1);
        var error = MaxError(expected, configured.Run((float[])input.Data, input.Shape).Values);
        // The same bytes without the entry: ONNX Runtime's defaults fuse DequantizeLinear → MatMul into MatMulNBits,
        // which also quantizes the MatMul's activations on the fly (docs/quantization.md).
        var plain = quantized.Clone();
        plain.MetadataProps.Remove(plain.MetadataProps.Single(p => p.Key == OrtSessionConfig.MetadataKey));
        using var defaults = new OrtClassifier(OnnxModelIO.Save(SparseInitializers.Apply(plain, StorageMode.Sparse)), threads: 1);
        var defaultError = MaxError(expected, defaults.Run((float[])input.Data, input.Shape).Values);
        var largest = expected.Max(Math.Abs);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |dequantized float − int8 bytes|: {error:G3} with the recorded config, {defaultError:G3} with ONNX Runtime's defaults (largest output {largest:G3})"));

        Assert.Equal(new Dictionary<string, string> { [OrtSessionConfig.DisableQuantQdq] = "1" }, configured.SessionConfig);
        Assert.Empty(defaults.SessionConfig);
        Assert.True(error <= 1e-5 * largest, $"with the config: max error {error} against the dequantized graph");
        Assert.True(defaultError > 10 * Math.Max(error, 1e-7f), $"the defaults computed the same ({defaultError}): the config would not matter");
    }

    /// <summary>
    /// The same on models exported by PyTorch: a GRU (W and R behind per-gate DequantizeLinear) and an attention head
    /// (the MatMuls ONNX Runtime's defaults would turn into MatMulNBits). The file's recorded entry makes ONNX Runtime
    /// compute the dequantized graph.
    /// </summary>
    [Theory]
    [InlineData("gru_kws_op17")]
    [InlineData("attention_kws_op17")]
    public void Int8Weights_OfAPyTorchExport_AreMeasuredAsTheDequantizedGraph(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var input = Assert.Single(fixture.RecordedInputs());
        var quantized = QuantizedExportTests.Quantize(Compress.Pruning.PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path))).Model;
        Metadata(ModelMetadata.SessionConfigFor(Int8WeightQuantizer.Scheme)).WriteTo(quantized);
        var expected = (float[])OrtRunner.Run(ConstantFolding.Fold(quantized).Model, [input]).Values.First().Data;

        using var classifier = new OrtClassifier(OnnxModelIO.Save(SparseInitializers.Apply(quantized, StorageMode.Sparse)), threads: 1);
        var error = MaxError(expected, classifier.Run((float[])input.Data, input.Shape).Values);
        var largest = expected.Max(Math.Abs);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: max |dequantized float − int8 bytes| {error:G3} (largest output {largest:G3})"));

        Assert.Equal(OrtSessionConfig.FoldedInt8Weights, classifier.SessionConfig);
        Assert.True(error <= 1e-5 * largest, $"{name}: max error {error} against the dequantized graph");
    }

    [Fact]
    public void SessionConfigFor_OnlyInt8WeightsAlone_GetTheFoldingEntry()
    {
        Assert.Equal([new(OrtSessionConfig.DisableQuantQdq, "1")], ModelMetadata.SessionConfigFor(Int8WeightQuantizer.Scheme)!);
        Assert.Null(ModelMetadata.SessionConfigFor(null));
        // int8 activations need ONNX Runtime's QDQ fusion into its integer kernels: the defaults are right.
        Assert.Null(ModelMetadata.SessionConfigFor(Int8ActivationQuantizer.Scheme(new CalibrationOptions())));
    }

    [Fact]
    public void Metadata_RoundTripsThroughTheBytes_AndAMetadataWithoutItRemovesAStaleEntry()
    {
        var model = QuantizedExportTests.PrunedConvNet();
        Metadata(new Dictionary<string, string> { ["session.z"] = "0", [OrtSessionConfig.DisableQuantQdq] = "1" }).WriteTo(model);

        Assert.Equal("{\"session.disable_quant_qdq\":\"1\",\"session.z\":\"0\"}", model.MetadataProps.Single(p => p.Key == OrtSessionConfig.MetadataKey).Value);
        Assert.Equal(ModelMetadata.SessionConfigOf(model), OrtSessionConfig.Read(OnnxModelIO.Save(model)));
        Assert.Equal(["session.disable_quant_qdq", "session.z"], OrtSessionConfig.Read(OnnxModelIO.Save(model)).Keys);

        // A run of a float model over a file that carried an entry (and a scheme) does not keep them.
        (Metadata(null) with { Quantize = null }).WriteTo(model);
        Assert.DoesNotContain(model.MetadataProps, p => p.Key is OrtSessionConfig.MetadataKey or "compress.quantize");
        Assert.Empty(OrtSessionConfig.Read(OnnxModelIO.Save(model)));
    }

    [Theory]
    [InlineData("[\"session.disable_quant_qdq\"]")]
    [InlineData("{\"session.disable_quant_qdq\":1}")]
    [InlineData("{not json")]
    public void Read_AValueCompressDidNotWrite_IsIgnored_SoTheModelIsMeasuredWithTheDefaults(string value)
    {
        var model = QuantizedExportTests.PrunedConvNet();
        model.MetadataProps.Add(new StringStringEntryProto { Key = OrtSessionConfig.MetadataKey, Value = value });

        Assert.Empty(ModelMetadata.SessionConfigOf(model));
        Assert.Empty(OrtSessionConfig.Read(OnnxModelIO.Save(model)));
        Assert.Empty(OrtSessionConfig.Read([0x0A, 0xFF, 0xFF, 0xFF]));
    }

    private static ModelMetadata Metadata(IReadOnlyDictionary<string, string>? config) =>
        new(Labels, 16000, null, 0.7, "00", "00", "test") { Quantize = Int8WeightQuantizer.Scheme, SessionConfig = config };

    private static float MaxError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
    }
}
