using System.Text.Json;
using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Export;
using Compress.Onnx;
using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// Stage 5 on its own: what it writes when the bytes to embed are right (model, manifest naming the trained output and
/// the features' input, hashes of what was read), and that nothing at all is written when they are not (CMP6004).
/// </summary>
[Collection(Training.TorchThreadsCollection.Name)]
public sealed class PublishStageTests : IDisposable
{
    private const string ToolVersion = "9.9.9-test";
    private readonly ToneCorpus _corpus = new(speakers: 4, clipsPerSpeaker: 1);

    [Fact]
    public void Publish_WritesModelAndManifest_WhoseHashesAreOfTheFilesRead()
    {
        var (stages, manifestPath) = Stages();

        var result = new PublishStage(ToolVersion).Run(stages.Run, stages.Data, stages.Baseline, stages.Search, stages.Context);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var plan = stages.Run.Plan;
        Assert.True(File.Exists(plan.OutputPath));
        Assert.True(File.Exists(Path.Combine(plan.ReportFolder!, "report.json")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var root = manifest.RootElement;
        Assert.Equal(RunManifest.HashFile(plan.OutputPath), root.GetProperty("sha256").GetString());
        Assert.Equal(stages.Run.Head.Output, root.GetProperty("outputName").GetString());
        Assert.Equal(stages.Run.Twin.DataInput.Name, root.GetProperty("inputName").GetString());
        Assert.Equal(ToolVersion, root.GetProperty("toolVersion").GetString());
        var inputs = root.GetProperty("inputs").EnumerateArray()
            .ToDictionary(i => i.GetProperty("path").GetString()!, i => i.GetProperty("sha256").GetString()!);
        Assert.Equal(RunManifest.HashFile(plan.SpecFile), inputs[Path.GetFullPath(plan.SpecFile)]);
        Assert.Equal(RunManifest.HashFile(plan.ModelPath), inputs[Path.GetFullPath(plan.ModelPath)]);
        Assert.Equal(stages.Data.Fingerprint.Files.Count + 2, inputs.Count);
        Assert.Equal(RunInputs.Of(stages.Run, stages.Data.Fingerprint, ToolVersion).Key, root.GetProperty("inputsKey").GetString());
    }

    [Fact]
    public void Publish_BytesThatDoNotDecodeBack_AreCmp6004_AndNothingIsWritten()
    {
        var (stages, manifestPath) = Stages();
        var plan = stages.Run.Plan;

        var result = new PublishStage(ToolVersion, (bytes, compression, filter) => EmbeddedCompressor.Compress(bytes[..^1], compression, filter)).Run(stages.Run, stages.Data, stages.Baseline, stages.Search, stages.Context);

        Assert.Equal(PipelineOutcome.Failed, result.Outcome);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(ExportMessages.EmbeddingMismatchCode, error.Code);
        Assert.False(File.Exists(plan.OutputPath));
        Assert.False(File.Exists(manifestPath));
        Assert.False(Directory.Exists(plan.ReportFolder!));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(plan.OutputPath)!, "*.tmp"));
    }

    private (StageRun Stages, string ManifestPath) Stages()
    {
        OnnxModelIO.Save(new DsCnn(3, Channels: 8, Blocks: 1, Seed: 3).Build(), Path.Combine(_corpus.Root, "random.onnx"));
        var spec = StageSpecs.Write(_corpus, """
            model:
              path: random.onnx
            pruning:
              method: magnitude
              target_sparsity: 0.5
            finetune:
              epochs: 1
              batch_size: 4
            gate:
              metric: accuracy
              min: 0
            output:
              path: out/kws.onnx
              report: out/kws.report
            """);
        var manifestPath = Path.Combine(_corpus.Root, "out", "kws.manifest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(manifestPath)!);
        var context = StageSpecs.Context();
        var run = PlanStage.Run(new PipelineRequest(spec, null, null, manifestPath), context).Value!;
        var data = DataStage.Run(run.Plan, context).Value!;
        _owned.Add(data);
        var baseline = BaselineStage.Run(run, data, context).Value!;
        var search = new AttemptStage(ToolVersion).Run(run, data, baseline, context);
        Assert.True(search.Value is not null, string.Join("\n", search.Diagnostics));
        return (new StageRun(run, data, baseline, search.Value!, context), manifestPath);
    }

    private readonly List<IDisposable> _owned = [];

    private sealed record StageRun(PlannedRun Run, PreparedData Data, Baseline Baseline, AttemptSearch Search, RunContext Context);

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _corpus.Dispose();
    }
}
