using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

public sealed class PlanStageTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 2, clipsPerSpeaker: 1);

    [Fact]
    public void Plan_ChannelPruning_KeepsTheDependencyGraphForTraining_AndATrialReusesIt()
    {
        var spec = Channel("ds-cnn");

        var result = PlanStage.Run(StageSpecs.Request(spec), StageSpecs.Context());

        Assert.False(result.Failed, string.Join("\n", result.Diagnostics));
        var run = result.Value!;
        Assert.NotNull(run.Pruning.Dependencies);
        Assert.Equal(RunManifest.HashFile(spec.Model.Path), run.ModelSha256);
        Assert.Equal(RunManifest.HashFile(spec.File), run.SpecFileSha256);
        var trial = run.Pruning.WithTargetSparsity(0.4);
        Assert.Empty(trial.Diagnostics);
        Assert.Same(run.Pruning.Dependencies, trial.Value!.Dependencies);
        Assert.Equal(0.4, trial.Value.Pruning.TargetSparsity);
    }

    [Fact]
    public void Plan_ChannelPruningWithNothingToCut_FailsWithCmp4002_AndKeepsTheCmp4006WarningsThatExplainIt()
    {
        // The attention block's q/k and v/out groups are prunable; with q and v excluded only pinned groups remain.
        var result = PlanStage.Run(StageSpecs.Request(Channel("self-attention", """["attn.q.weight", "attn.v.weight"]""")), StageSpecs.Context());

        Assert.True(result.Failed);
        Assert.Equal(TrainingMessages.NoPrunableWeightsCode, Assert.Single(result.Diagnostics, d => d.IsError).Code);
        Assert.Contains(result.Diagnostics, d => d.Code == TrainingMessages.ChannelsNotPrunableCode && d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void Plan_NothingPrunable_FailsWithCmp4002_BeforeAnyDataIsRead()
    {
        OnnxModelIO.Save(Graph.SpeechModels.Get("ds-cnn").Model, Path.Combine(_corpus.Root, "dscnn.onnx"));
        var spec = StageSpecs.Write(_corpus, """
            model:
              path: dscnn.onnx
            pruning:
              method: magnitude
              target_sparsity: 0.5
              exclude: ["*"]
            """);
        Directory.Delete(Path.Combine(_corpus.Root, "low"), recursive: true); // data would fail to load: the plan must not read it

        var result = PlanStage.Run(StageSpecs.Request(spec), StageSpecs.Context());

        Assert.True(result.Failed);
        Assert.Equal(TrainingMessages.NoPrunableWeightsCode, Assert.Single(result.Diagnostics).Code);
    }

    private Compress.Spec.CompressSpec Channel(string model, string exclude = "[]")
    {
        OnnxModelIO.Save(Graph.SpeechModels.Get(model).Model, Path.Combine(_corpus.Root, "model.onnx"));
        var spec = StageSpecs.Write(_corpus, $"""
            model:
              path: model.onnx
            pruning:
              method: channel
              target_sparsity: 0.3
              protect_first_last: false
              exclude: {exclude}
            """);

        // The attention reference model takes [N, 25 frames, 32 bins]: features of that size (the plan checks the layout).
        return model == "self-attention" ? spec with { Features = spec.Features with { HopMs = 40, MelBins = 32 } } : spec;
    }

    public void Dispose() => _corpus.Dispose();
}
