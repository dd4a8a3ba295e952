using Compress.Core.Tests.Training;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Core.Tests.Pruning;

public sealed class MagnitudePruningTests
{
    private static readonly FineTuneOptions Short = new(Epochs: 2, BatchSize: 32, LearningRate: 3e-3);

    [Theory]
    [InlineData(ScheduleKind.OneShot, 0.7)]
    [InlineData(ScheduleKind.Polynomial, 0.83)]
    [InlineData(ScheduleKind.Iterative, 0.6)]
    public void Magnitude_ReachesTargetExactly_OnEligibleWeights(ScheduleKind kind, double target)
    {
        var model = TinyModels.Mlp();
        var options = new PruningOptions(PruningMethod.Magnitude, target, Schedule: new ScheduleOptions(kind, FrequencySteps: 2));
        var result = new CompressionEngine().Run(model, TinyModels.Clusters(256, 1), TinyModels.Clusters(64, 2), options, Short);

        // fc0 and fc3 are the first and last layers: protected. fc1 and fc2 hold 2 × 32 × 32 eligible weights.
        Assert.Equal(["fc1.weight", "fc2.weight"], result.Layers.Select(l => l.Name));
        var expected = (long)Math.Round(target * 2048, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, result.Layers.Sum(l => l.Zeros));
        Assert.Equal((double)expected / 2048, result.TotalSparsity, 12);
        foreach (var layer in result.Layers)
        {
            Assert.Equal(layer.Zeros, TinyModels.Values(result.Model, layer.Name).LongCount(v => v == 0));
            Assert.InRange(layer.Zeros, (long)Math.Floor(target * 1024), (long)Math.Ceiling(target * 1024));
        }

        Assert.DoesNotContain(0f, TinyModels.Values(result.Model, "fc0.weight"));
        Assert.DoesNotContain(0f, TinyModels.Values(result.Model, "fc3.weight"));
        Assert.Equal(2, result.History.Count);
        Assert.Equal(expected / 2048.0, result.History[^1].Sparsity, 2);
    }

    [Fact]
    public void Magnitude_WithoutFineTuning_PrunesTheSmallestWeights()
    {
        var model = TinyModels.Mlp();
        var options = new PruningOptions(PruningMethod.Magnitude, 0.5, Include: ["fc1.*"], Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        var result = new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options, Short with { Epochs = 0 });

        var before = TinyModels.Values(model, "fc1.weight");
        var after = TinyModels.Values(result.Model, "fc1.weight");
        var threshold = before.Select(Math.Abs).OrderBy(v => v).ElementAt(511);
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(Math.Abs(before[i]) <= threshold ? 0f : before[i], after[i]);
        }

        Assert.Equal(TinyModels.Values(model, "fc2.weight"), TinyModels.Values(result.Model, "fc2.weight"));
    }

    [Fact]
    public void GlobalScope_HitsTotalExactly_WithUnevenLayers()
    {
        var model = TinyModels.Mlp();
        var options = new PruningOptions(PruningMethod.Magnitude, 0.6, PruningScope.Global, ProtectFirstAndLast: false, MaxLayerSparsity: 0.9, Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        var result = new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options, Short with { Epochs = 0 });

        var total = result.Layers.Sum(l => l.Elements);
        Assert.Equal(4, result.Layers.Count);
        Assert.Equal((long)Math.Round(0.6 * total, MidpointRounding.AwayFromZero), result.Layers.Sum(l => l.Zeros));
        Assert.All(result.Layers, l => Assert.True(l.Sparsity <= 0.9 + 1e-9));
        Assert.True(result.Layers.Select(l => Math.Round(l.Sparsity, 3)).Distinct().Count() > 1, "a global threshold gives layers different sparsities");
    }

    [Fact]
    public void SensitivityAllocation_HitsTotalExactly_AndRecordsTheSweep()
    {
        var model = TinyModels.Mlp();
        var options = new PruningOptions(PruningMethod.Magnitude, 0.5, Allocation: SparsityAllocation.Sensitivity, ProtectFirstAndLast: false, Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        var result = new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(32, 2), options, Short with { Epochs = 0 });

        var total = result.Layers.Sum(l => l.Elements);
        Assert.Equal((long)Math.Round(0.5 * total, MidpointRounding.AwayFromZero), result.Layers.Sum(l => l.Zeros));
        Assert.Equal(4 * SensitivityBounds.SweepLevels(options).Count, result.Sensitivity.Count); // 0.35, 0.5 and 0.65: the band around 0.5
        Assert.All(result.Sensitivity, t => Assert.Contains(t.Tensor, new[] { "fc0.weight", "fc1.weight", "fc2.weight", "fc3.weight" }));
    }
}
