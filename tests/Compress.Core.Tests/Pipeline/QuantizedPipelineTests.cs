using System.Globalization;
using Compress.Architectures;
using Compress.Core.Tests.Training;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Spec;
using Xunit.Abstractions;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// <c>quantize.weights: int8</c> end to end: the run writes int8 weights behind DequantizeLinear, records the scheme in
/// the model and the report, the gate's number is what ONNX Runtime measures on the written file (<c>eval</c>), and
/// every zero the report counts is still zero in the file.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class QuantizedPipelineTests(PipelineFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFixture>
{
    [Fact]
    public void Run_Int8_WritesQuantizedSparseWeights_RecordsTheScheme_AndEvalMeasuresWhatTheReportSays()
    {
        var spec = Spec("int8", "quantize:\n  weights: int8");
        var floatSpec = Spec("float", "");

        var manifestPath = Path.Combine(Path.GetDirectoryName(spec.Output.Path)!, "int8.manifest.json");
        var floatManifestPath = Path.Combine(Path.GetDirectoryName(spec.Output.Path)!, "float.manifest.json");
        var result = PipelineFixture.Run(spec, manifestPath);
        var floatResult = PipelineFixture.Run(floatSpec, floatManifestPath);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.True(floatResult.Outcome == PipelineOutcome.Succeeded, string.Join("\n", floatResult.Diagnostics));
        var model = OnnxModelIO.Load(spec.Output.Path);
        var dequantizers = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").ToList();
        Assert.NotEmpty(dequantizers);
        Assert.Equal(Int8WeightQuantizer.Scheme, model.MetadataProps.Single(p => p.Key == "compress.quantize").Value);
        Assert.DoesNotContain(OnnxModelIO.Load(floatSpec.Output.Path).MetadataProps, p => p.Key == "compress.quantize");

        // int8 weights alone ship (and were measured with) the session entry that folds them at load; the manifest
        // carries it to the accessor. A float model needs none.
        var config = new Dictionary<string, string> { [Compress.Evaluation.OrtSessionConfig.DisableQuantQdq] = "1" };
        Assert.Equal(config, ModelMetadata.SessionConfigOf(model));
        Assert.Empty(ModelMetadata.SessionConfigOf(OnnxModelIO.Load(floatSpec.Output.Path)));
        using (var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath)))
        using (var floatManifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(floatManifestPath)))
        {
            Assert.Equal("{\"session.disable_quant_qdq\":\"1\"}", System.Text.Json.JsonSerializer.Serialize(manifest.RootElement.GetProperty("sessionConfig")));
            Assert.False(floatManifest.RootElement.TryGetProperty("sessionConfig", out _));
        }

        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        var floatReport = ReportWriter.FromJson(File.ReadAllText(Path.Combine(floatSpec.Output.Report, "report.json")))!;
        Assert.Equal(new QuantizationRecord("int8", Int8WeightQuantizer.Scheme, dequantizers.Count), report.Quantization);
        Assert.Equal(new QuantizationRecord("none", "", 0), floatReport.Quantization);

        // Every zero the report counts for a layer is still zero in the int8 tensor behind its DequantizeLinear.
        foreach (var layer in report.Layers)
        {
            var dq = dequantizers.Single(n => n.Output[0] == layer.Name);
            Assert.True(Int8Zeros(model.Graph, dq.Input[0]) >= layer.Zeros, layer.Name);
        }

        // The measured accuracy is what ONNX Runtime computes on the written int8 file.
        var evaluation = new ModelEvaluator().Evaluate(spec.Output.Path, spec, CancellationToken.None);
        Assert.True(evaluation.Value is not null, string.Join("\n", evaluation.Diagnostics));
        Assert.Equal(report.Compressed!.Accuracy, evaluation.Value.Measurement.Metrics.Accuracy);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dense {report.Sizes!.DenseOnnxBytes} B; float sparse {floatReport.Sizes!.ExportedOnnxBytes} B accuracy {floatReport.Compressed!.Accuracy:0.0000}; int8 sparse {report.Sizes.ExportedOnnxBytes} B accuracy {report.Compressed.Accuracy:0.0000}; baseline {report.Baseline!.Accuracy:0.0000}; sparsity {report.TotalSparsity:0.000}"));
        // No size assertion here: this 16-channel DS-CNN's weights are so small that each quantized tensor's overhead
        // (scale, zero point, DequantizeLinear node and names) outweighs the bytes int8 saves (docs/quantization.md);
        // QuantizedExportTests checks the shrinking on models with weights worth quantizing.
        Assert.Equal(report.Sizes.ExportedOnnxBytes, new FileInfo(spec.Output.Path).Length);
    }

    [Fact]
    public void Run_Int8_WithThePrependedFrontEnd_QuantizesOnlyTheModelsWeights_NotTheFrontEndsMatrices()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.5
            finetune:
              epochs: 1
              batch_size: 16
            output:
              path: out/int8-pcm.onnx
              report: out/int8-pcm-report
            quantize:
              weights: int8
            """, "int8-pcm.yaml", "  prepend: true");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var model = OnnxModelIO.Load(spec.Output.Path);
        var trained = Compress.Pruning.PrunableWeights.Prepare(OnnxModelIO.Load(fixture.TrainedModel));
        Assert.Equal(
            Compress.Pruning.PrunableWeights.Reads(trained).Select(r => r.Name).Distinct().Order(StringComparer.Ordinal),
            model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).Order(StringComparer.Ordinal));
        // The front end's mel filterbank (a MatMul's B, built by float nodes from the filter edges) stays float.
        var dequantized = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        var mel = Assert.Single(model.Graph.Node, n => n.OpType == "MatMul" && n.Name.EndsWith("/Mel", StringComparison.Ordinal));
        Assert.EndsWith("/mel_filterbank_rows", mel.Input[1], StringComparison.Ordinal);
        Assert.DoesNotContain(mel.Input[1], dequantized);
    }

    [Fact]
    public void Run_Int8Activations_WritesQdqActivations_RecordsTheCalibration_AndEvalMeasuresWhatTheReportSays()
    {
        var spec = Spec("int8-act", "quantize:\n  weights: int8\n  activations: int8\n  calibration:\n    clips: 40\n    method: percentile");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var model = OnnxModelIO.Load(spec.Output.Path);
        var trained = OnnxModelIO.Load(fixture.TrainedModel);
        var quantizers = model.Graph.Node.Where(n => n.OpType == "QuantizeLinear").ToList();
        Assert.NotEmpty(quantizers);
        var scheme = Int8ActivationQuantizer.Scheme(new CalibrationOptions(40, CalibrationMethod.Percentile));
        Assert.Equal(scheme, model.MetadataProps.Single(p => p.Key == "compress.quantize").Value);
        // ONNX Runtime must fuse the activation pairs into its integer kernels: no entry turns that off.
        Assert.Empty(ModelMetadata.SessionConfigOf(model));
        Assert.Equal(trained.Graph.Input.Select(i => i.Name), model.Graph.Input.Select(i => i.Name));
        Assert.Equal(trained.Graph.Output.Select(o => o.Name), model.Graph.Output.Select(o => o.Name));

        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        var weights = model.Graph.Node.Count(n => n.OpType == "DequantizeLinear" && model.Graph.Initializer.Concat(model.Graph.SparseInitializer.Select(t => t.Values))
            .Any(t => t.Name == n.Input[0] && t.DataType == (int)DataType.Int8));
        Assert.Equal(new QuantizationRecord("int8", scheme, weights, "int8", new CalibrationRecord("percentile", 40, 99.99), quantizers.Count), report.Quantization);
        Assert.Contains($"{quantizers.Count} int8 activations", File.ReadAllText(Path.Combine(spec.Output.Report, "report.md")), StringComparison.Ordinal);

        var evaluation = new ModelEvaluator().Evaluate(spec.Output.Path, spec, CancellationToken.None);
        Assert.True(evaluation.Value is not null, string.Join("\n", evaluation.Diagnostics));
        Assert.Equal(report.Compressed!.Accuracy, evaluation.Value.Measurement.Metrics.Accuracy);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 weights+activations: {report.Sizes!.ExportedOnnxBytes} B, accuracy {report.Compressed.Accuracy:0.0000} (baseline {report.Baseline!.Accuracy:0.0000}), {quantizers.Count} activations"));
    }

    [Fact]
    public void Run_Int8Activations_WithThePrependedFrontEnd_KeepsThePcmAndTheFrontEndFloat()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.5
            finetune:
              epochs: 1
              batch_size: 16
            output:
              path: out/int8-act-pcm.onnx
              report: out/int8-act-pcm-report
            quantize:
              weights: int8
              activations: int8
              calibration:
                clips: 16
            """, "int8-act-pcm.yaml", "  prepend: true");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var model = OnnxModelIO.Load(spec.Output.Path);
        var frontEnd = model.Graph.Node.Where(n => n.Name.StartsWith("frontend/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(frontEnd);
        var quantized = model.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(quantized);
        Assert.DoesNotContain(model.Graph.Input[0].Name, quantized);
        // No front-end node reads a dequantized activation: the front end computes in float from the PCM.
        var dequantized = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(frontEnd, n => n.Input.Any(dequantized.Contains));
    }

    [Fact]
    public void Run_Int8_OnAnOpset12Model_WarnsCmp6005_AndWritesFloatWeights()
    {
        OnnxModelIO.Save(new DsCnn(3, Channels: 8, Blocks: 1, Seed: 5, Opset: 12).Build(), Path.Combine(fixture.Root, "opset12.onnx"));
        var spec = fixture.Spec("""
            model:
              path: opset12.onnx
            finetune:
              epochs: 1
              batch_size: 16
            output:
              path: out/opset12.onnx
              storage: sparse
              report: out/opset12-report
            quantize:
              weights: int8
            """, "opset12.yaml");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Contains(result.Diagnostics, d => d.Code == Compress.Diagnostics.ExportMessages.QuantizeOpsetTooOldCode && !d.IsError);
        var model = OnnxModelIO.Load(spec.Output.Path);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "DequantizeLinear");
        Assert.DoesNotContain(model.MetadataProps, p => p.Key == "compress.quantize");
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.Equal(new QuantizationRecord("int8", "", 0), report.Quantization);
    }

    private CompressSpec Spec(string name, string quantize) => fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.7
            finetune:
              epochs: 1
              batch_size: 16
            gate:
              metric: accuracy
              max_drop: 0.5
            output:
              path: out/{name}.onnx
              storage: sparse
              report: out/{name}-report
            {quantize}
            """, name + ".yaml");

    private static long Int8Zeros(GraphProto graph, string name)
    {
        if (graph.Initializer.SingleOrDefault(t => t.Name == name) is { } dense)
        {
            Assert.Equal((int)DataType.Int8, dense.DataType);
            return dense.RawData.Span.ToArray().LongCount(b => b == 0);
        }

        var sparse = graph.SparseInitializer.Single(s => s.Values.Name == name);
        Assert.Equal((int)DataType.Int8, sparse.Values.DataType);
        var count = sparse.Dims.Aggregate(1L, (a, d) => a * d);
        return count - sparse.Values.RawData.Span.ToArray().LongCount(b => b != 0);
    }
}
