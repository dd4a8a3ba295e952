using Compress.Core.Tests.Training;
using Compress.Diagnostics;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Core.Tests.Pruning;

public sealed class ValidationTests
{
    [Fact]
    public void TargetAboveMaxLayerSparsity_IsCMP4003()
    {
        var d = Assert.Single(CompressionEngine.Validate(TinyModels.Mlp(), new PruningOptions(PruningMethod.Magnitude, 0.8, MaxLayerSparsity: 0.7)));
        Assert.Equal(TrainingMessages.TargetUnreachableCode, d.Code);
        Assert.Contains("at most 0.6992", d.Message); // ⌊0.7 × 1024⌋ / 1024
    }

    [Fact]
    public void EverythingExcluded_IsCMP4002_WithCounts()
    {
        var d = Assert.Single(CompressionEngine.Validate(TinyModels.Mlp(), new PruningOptions(PruningMethod.Magnitude, Exclude: ["fc1.*", "Gemm_4"])));
        Assert.Equal(TrainingMessages.NoPrunableWeightsCode, d.Code);
        Assert.Contains("4 prunable weight tensors", d.Message);
        Assert.Contains("2 protected", d.Message);
        Assert.Contains("2 left out", d.Message);
    }

    [Fact]
    public void ImpossibleTarget_StopsTheRunBeforeTraining()
    {
        var e = Assert.Throws<CompressException>(() => new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(8, 1), TinyModels.Clusters(8, 2), new PruningOptions(PruningMethod.Gradient, 0.995), new FineTuneOptions(Epochs: 1)));
        Assert.Equal(TrainingMessages.TargetUnreachableCode, Assert.Single(e.Diagnostics).Code);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void TargetOutOfRange_IsCMP4004(double target)
    {
        Assert.Equal(TrainingMessages.InvalidOptionCode, Assert.Single(CompressionEngine.Validate(TinyModels.Mlp(), new PruningOptions(PruningMethod.Magnitude, target))).Code);
    }

    [Fact]
    public void MethodNone_NeedsNoPrunableWeights()
    {
        Assert.Empty(CompressionEngine.Validate(TinyModels.Mlp(), new PruningOptions(PruningMethod.None, Exclude: ["*"])));
    }

    [Fact]
    public void PrunableWeights_FollowTheRules()
    {
        var found = PrunableWeights.Find(TinyModels.Mlp(), new PruningOptions(Include: ["fc[12]*", "fc2.weight", "Gemm_0"]));
        Assert.Equal(["fc0.weight", "fc1.weight", "fc2.weight", "fc3.weight"], found.Select(f => f.Name));
        Assert.Equal([PrunableStatus.Protected, PrunableStatus.Excluded, PrunableStatus.Eligible, PrunableStatus.Excluded], found.Select(f => f.Status));
        Assert.DoesNotContain(found, f => f.Name.EndsWith(".bias", StringComparison.Ordinal));
    }

    [Fact]
    public void FineTuneOptions_OutOfRange_AreReported()
    {
        var problems = PruningValidator.Validate(new FineTuneOptions(Epochs: -1, BatchSize: 0, EarlyStopMetric: "f1"));
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Equal(TrainingMessages.InvalidOptionCode, p.Code));
    }
}
