using Compress.Core.Tests.Training;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Core.Tests.Pruning;

public sealed class AccuracyTests
{
    [Theory]
    [InlineData(PruningMethod.Magnitude, 0.8, 0.8)]
    [InlineData(PruningMethod.Gradient, 0.8, 0.8)]
    // Half of fc1's and fc2's outputs go: fc1 loses 50 % of its weights (its inputs come from the protected fc0), fc2 75 %.
    [InlineData(PruningMethod.Channel, 0.5, 0.625)]
    public void DenseThenPruned_KeepsAccuracyOnSeparableData(PruningMethod method, double sparsity, double removed)
    {
        var train = TinyModels.Clusters(512, 1);
        var validation = TinyModels.Clusters(128, 2);
        var dense = new CompressionEngine().Run(TinyModels.Mlp(), train, validation, new PruningOptions(), new FineTuneOptions(Epochs: 4, BatchSize: 32, LearningRate: 3e-3));
        Assert.True(dense.ValidationAccuracy > 0.9, $"dense {dense.ValidationAccuracy}");

        var pruned = new CompressionEngine().Run(dense.Model, train, validation, new PruningOptions(method, sparsity, Schedule: new ScheduleOptions(ScheduleKind.Polynomial, FrequencySteps: 4, EndEpoch: 2)), new FineTuneOptions(Epochs: 3, BatchSize: 32, LearningRate: 1e-3, DistillationWeight: 0.5));
        Assert.True(pruned.ValidationAccuracy > dense.ValidationAccuracy - 0.05, $"dense {dense.ValidationAccuracy}, pruned {pruned.ValidationAccuracy}");
        Assert.Equal(removed, pruned.TotalSparsity, 3); // exact counts: round(0.8 × 2048) / 2048 = 0.7998
    }
}
