using System.Text.Json;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Core.Tests.Training;

namespace Compress.Core.Tests.Pipeline;

[Collection(TorchThreadsCollection.Name)]
public sealed class CompressPipelineTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public void Run_Magnitude_WritesModelManifestAndReport_AndTheModelIsWhatWasMeasured()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.5
            finetune:
              epochs: 2
              batch_size: 16
            gate:
              metric: accuracy
              max_drop: 0.5
            output:
              path: out/magnitude.onnx
              storage: sparse
              compress: gzip
              report: out/magnitude-report
            """, "magnitude.yaml");
        var manifestPath = Path.Combine(fixture.Root, "out", "magnitude.manifest.json");

        var result = PipelineFixture.Run(spec, manifestPath);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var stored = File.ReadAllBytes(spec.Output.Path);
        var model = OnnxModelIO.Load(EmbeddedCompressor.Decompress(stored, EmbeddedCompression.Gzip));
        Assert.NotEmpty(model.Graph.SparseInitializer);
        Assert.Equal("[\"low\",\"mid\",\"high\"]", model.MetadataProps.Single(p => p.Key == "compress.labels").Value);

        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.True(report.Gate!.Passed);
        // The paired difference is the gate's two values, clip for clip, and its interval holds it.
        var paired = report.Gate.Paired!;
        Assert.Equal(report.Compressed!.Count, paired.Items);
        Assert.Equal(report.Compressed.Accuracy - report.Baseline!.Accuracy, paired.Difference, 5);
        Assert.Equal(paired.Difference, (double)(paired.Better - paired.Worse) / paired.Items, 5);
        Assert.True(paired.Low <= paired.Difference && paired.Difference <= paired.High);
        Assert.InRange(report.TotalSparsity, 0.499, 0.501);
        Assert.Equal(report.Layers.Sum(l => l.Zeros), Zeros(model, report.Layers.Select(l => l.Name)));
        // The test process keeps the library's default (off); the tool's `auto` is tested in OneDnnVettingTests.
        Assert.Equal(("off", false, "COMPRESS_ONEDNN=off"), (report.OneDnn!.Setting, report.OneDnn.Training, report.OneDnn.Reason));
        Assert.Empty(report.OneDnn.Checks);

        // What the report says was measured is what ONNX Runtime measures on the written bytes.
        var evaluation = new ModelEvaluator().Evaluate(spec.Output.Path, spec, CancellationToken.None);
        Assert.Equal(report.Compressed!.Accuracy, evaluation.Value!.Measurement.Metrics.Accuracy);

        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var root = manifest.RootElement;
        Assert.Equal(RunManifest.HashFile(spec.Output.Path), root.GetProperty("sha256").GetString());
        Assert.Equal("gzip", root.GetProperty("compression").GetString());
        Assert.Equal(["low", "mid", "high"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!));
        var inputs = root.GetProperty("inputs").EnumerateArray().Select(e => e.GetProperty("path").GetString()!).ToList();
        Assert.Contains(spec.File, inputs);
        Assert.Contains(fixture.TrainedModel, inputs);
        Assert.Contains(inputs, p => p.EndsWith("_nohash_0.wav", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_Prepend_ShipsAModelThatTakesPcm()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.3
            finetune:
              epochs: 1
              batch_size: 16
            gate:
              metric: accuracy
              max_drop: 0.5
            output:
              path: out/pcm.onnx
              storage: dense
              report: out/pcm-report
            """, "pcm.yaml", "  prepend: true");
        var manifestPath = Path.Combine(fixture.Root, "out", "pcm.manifest.json");

        var result = PipelineFixture.Run(spec, manifestPath);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var model = OnnxModelIO.Load(spec.Output.Path);
        var input = Assert.Single(model.Graph.Input, i => model.Graph.Initializer.All(t => t.Name != i.Name));
        Assert.Equal([0, 16000], input.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        Assert.Equal(input.Name, manifest.RootElement.GetProperty("inputName").GetString());
        Assert.Equal([-1, 16000], manifest.RootElement.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void Run_GateFails_ReportsCmp5001AtTheGateLine_AndWritesNoModel()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: 0.95
              max_layer_sparsity: 0.99
              protect_first_last: false
              schedule:
                kind: one-shot
            finetune:
              epochs: 1
              batch_size: 16
              learning_rate: 0.000000001
            gate:
              metric: accuracy
              min: 0.999
            output:
              path: out/failed.onnx
              storage: sparse
              report: out/failed-report
            """, "failing.yaml");
        var manifestPath = Path.Combine(fixture.Root, "out", "failed.manifest.json");

        var result = PipelineFixture.Run(spec, manifestPath);

        Assert.Equal(PipelineOutcome.GateFailed, result.Outcome);
        var failure = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("CMP5001", failure.Code);
        Assert.Equal(spec.Gate!.Location.Line, failure.Line);
        Assert.StartsWith($"{spec.File}({spec.Gate.Location.Line},", failure.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"error CMP5001: accuracy 0\.\d{3} is below min 0\.999 \(baseline \d\.\d{3}, sparsity 0\.9\d\)", failure.ToString());
        Assert.False(File.Exists(spec.Output.Path));
        Assert.False(File.Exists(manifestPath));
        Assert.True(File.Exists(Path.Combine(spec.Output.Report, "report.json")), "the report explains the failure");
    }

    [Fact]
    public void Run_TargetSparsityMax_TriesAscendingSparsities_AndShipsTheSparsestThatPasses()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            pruning:
              method: magnitude
              target_sparsity: max
              max_trials: 3
            finetune:
              epochs: 1
              batch_size: 16
            gate:
              metric: accuracy
              max_drop: 0.2
            output:
              path: out/max.onnx
              storage: sparse
              report: out/max-report
            """, "max.yaml");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.Equal(3, report.Trials.Count);
        Assert.Equal(report.Trials.Select(t => t.Sparsity).Order(), report.Trials.Select(t => t.Sparsity));
        var best = report.Trials.Where(t => t.Passed).MaxBy(t => t.Sparsity)!;
        Assert.Equal(best.Sparsity, report.TotalSparsity, 6);
        Assert.True(File.Exists(spec.Output.Path));
    }

    [Fact]
    public void Run_FeaturesThatDoNotFitTheModel_ReportCmp1040_BeforeAnyFeatureExtraction()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            output:
              path: out/misfit.onnx
              report: out/misfit-report
            """, "misfit.yaml", "  mel_bins: 20");

        var result = PipelineFixture.Run(spec);

        Assert.Equal(PipelineOutcome.Failed, result.Outcome);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("CMP1040", error.Code);
        Assert.Equal(spec.File, error.File);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code.StartsWith("CMP32", StringComparison.Ordinal));
        Assert.False(File.Exists(spec.Output.Path));
    }

    [Fact]
    public void Run_Cancelled_ReturnsCancelled_AndWritesNothing()
    {
        var spec = fixture.Spec($"""
            model:
              path: {fixture.TrainedModel}
            output:
              path: out/cancelled.onnx
              report: out/cancelled-report
            """, "cancelled.yaml");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var result = PipelineFixture.Run(spec, Path.Combine(fixture.Root, "out", "cancelled.manifest.json"), cancel.Token);

        Assert.Equal(PipelineOutcome.Cancelled, result.Outcome);
        Assert.False(File.Exists(spec.Output.Path));
        Assert.False(Directory.Exists(spec.Output.Report));
    }

    private static long Zeros(ModelProto model, IEnumerable<string> names)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        long zeros = 0;
        foreach (var sparse in model.Graph.SparseInitializer.Where(s => wanted.Contains(s.Values.Name)))
        {
            zeros += sparse.Dims.Aggregate(1L, (a, d) => a * d) - sparse.Values.Dims.Aggregate(1L, (a, d) => a * d);
        }

        foreach (var dense in model.Graph.Initializer.Where(t => wanted.Contains(t.Name)))
        {
            using var t = OnnxTensors.ToTorch(dense);
            zeros += t.eq(0).sum().item<long>();
        }

        return zeros;
    }
}
