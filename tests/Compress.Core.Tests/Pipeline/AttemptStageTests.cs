using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

public sealed class AttemptStageTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 1, clipsPerSpeaker: 1);

    [Fact]
    public void SparsityPlan_FixedTarget_IsThatTargetOnly()
    {
        var plan = Plan("target_sparsity: 0.7");

        Assert.Equal([0.7], AttemptStage.SparsityPlan(plan));
    }

    [Fact]
    public void SparsityPlan_Max_IsAscendingBoundedByTheLayerCeiling_AndHasMaxTrialsPoints()
    {
        var plan = Plan("target_sparsity: max\n  max_trials: 4\n  max_layer_sparsity: 0.9");

        var sparsities = AttemptStage.SparsityPlan(plan).ToList();

        Assert.Equal(4, sparsities.Count);
        Assert.Equal(0.5, sparsities[0]);
        Assert.Equal(sparsities.Order(), sparsities);
        Assert.All(sparsities, s => Assert.InRange(s, 0.5, 0.9));
    }

    private PipelinePlan Plan(string pruning) => SpecMapping.ToPlan(StageSpecs.Request(StageSpecs.Write(_corpus, $"""
        model:
          path: none.onnx
        pruning:
          method: magnitude
          {pruning}
        gate:
          min: 0.5
        """)));

    public void Dispose() => _corpus.Dispose();
}
