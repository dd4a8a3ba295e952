using Compress.Core.Tests.Training;
using Compress.Graph;
using Compress.Pruning;
using Compress.Pruning.Importance;
using Compress.Training;

namespace Compress.Core.Tests.Pruning;

public sealed class MethodTests
{
    private static readonly FineTuneOptions Short = new(Epochs: 2, BatchSize: 32, LearningRate: 3e-3);

    [Fact]
    public void Gradient_PrunesWeightsOfDeadInputsFirst_EvenWhenTheyAreLarge()
    {
        // Features 0..3 are always zero, so fc0's weights on them get no gradient: Taylor saliency 0.
        var data = TinyModels.Clusters(128, 1);
        var features = new float[128 * TinyModels.Features];
        var labels = new int[128];
        for (var i = 0; i < 128; i++)
        {
            data.ReadFeatures(i, features.AsSpan(i * TinyModels.Features, TinyModels.Features));
            features.AsSpan(i * TinyModels.Features, 4).Clear();
            labels[i] = data.LabelOf(i);
        }

        var dead = new ArrayTrainingData(features, [TinyModels.Features], labels);
        var model = TinyModels.Mlp();
        var fc0 = model.Graph.Initializer.Single(t => t.Name == "fc0.weight");
        var values = TinyModels.Values(model, "fc0.weight");
        for (var o = 0; o < 32; o++)
        {
            for (var f = 0; f < 4; f++)
            {
                values[(o * 16) + f] = 5f; // far larger than every live weight
            }
        }

        fc0.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var options = new PruningOptions(PruningMethod.Gradient, 0.25, Include: ["fc0.weight"], ProtectFirstAndLast: false, GradientBatches: 2, Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        var result = new CompressionEngine().Run(model, dead, dead, options, Short with { Epochs = 0 });

        var after = TinyModels.Values(result.Model, "fc0.weight");
        Assert.Equal(128, after.Count(v => v == 0));
        for (var o = 0; o < 32; o++)
        {
            Assert.All(Enumerable.Range(0, 4), f => Assert.Equal(0f, after[(o * 16) + f]));
        }
    }

    [Fact]
    public void TaylorScores_AreWeightTimesGradient()
    {
        using var module = OnnxGraphModule.Create(TinyModels.Mlp());
        var data = TinyModels.Clusters(32, 1);
        var scores = TaylorImportance.Score(module, ["fc1.weight"], data, 32, 1, 1, 0);
        Assert.Equal(1024, scores["fc1.weight"].Length);
        Assert.All(scores["fc1.weight"], s => Assert.True(s >= 0));
        Assert.Contains(scores["fc1.weight"], s => s > 0);
        Assert.All(module.OnnxParameters.Values, p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
    }

    [Theory]
    [InlineData(PruningMethod.L1)]
    [InlineData(PruningMethod.L2)]
    public void Regularisation_ShrinksEligibleWeights_ThenPrunesExactly(PruningMethod method)
    {
        var model = TinyModels.Mlp();
        var train = TinyModels.Clusters(256, 1);
        var options = new PruningOptions(method, 0.75, RegularizationLambda: 5e-3, RegularizationEpochs: 2);
        var fineTune = Short with { Epochs = 3, LrSchedule = LrScheduleKind.Constant };
        var regularised = new CompressionEngine().Run(model, train, train, options, fineTune);
        var plain = new CompressionEngine().Run(model, train, train, new PruningOptions(PruningMethod.Magnitude, 0.75, Schedule: new ScheduleOptions(ScheduleKind.OneShot, BeginEpoch: 2)), fineTune);

        Assert.Equal(1536, regularised.Layers.Sum(l => l.Zeros));
        Assert.Equal(0, regularised.History[0].Sparsity); // the regularisation phase prunes nothing
        double Norm(CompressionResult r) => r.Layers.Sum(l => TinyModels.Values(r.Model, l.Name).Sum(v => method == PruningMethod.L1 ? Math.Abs(v) : v * v));
        Assert.True(Norm(regularised) < Norm(plain), $"{Norm(regularised)} vs {Norm(plain)}");
    }

    [Theory]
    [InlineData(3, 3, 1)]
    [InlineData(2, 8, 2)]
    [InlineData(0, 8, 0)]
    [InlineData(5, 4, 2)]
    [InlineData(2, 2, 0)]
    [InlineData(2, 1, 0)]
    public void RegularisationPhase_NeverTakesTheEpochsTheScheduleAndOneRecoveryEpochNeed(int asked, int epochs, int phase) =>
        Assert.Equal(phase, ScheduledPruningHook.RegularizationPhase(asked, epochs));

    [Theory]
    [InlineData(PruningMethod.L1)]
    [InlineData(PruningMethod.L2)]
    public void Penalty_RunsUntilTheScheduleReachesTheTarget_ThenRecoveryTrainsWithoutIt(PruningMethod method)
    {
        using var module = OnnxGraphModule.Create(TinyModels.Mlp());
        var options = new PruningOptions(method, 0.75, RegularizationLambda: 5e-3);
        using var hook = new UnstructuredPruningHook(module, ["fc1.weight", "fc2.weight"], options, Short with { Epochs = 4 }, TinyModels.Clusters(64, 1));

        using (var before = hook.Penalty(0))
        {
            Assert.NotNull(before);
            Assert.True(before.item<float>() > 0);
        }

        hook.PruneTo(0.5);
        Assert.NotNull(hook.Penalty(2)); // still pruning: the regulariser keeps pushing the weights the schedule will cut
        hook.PruneTo(0.75);
        Assert.Null(hook.Penalty(2));

        // Without a penalty-only phase the schedule is magnitude's, step for step.
        var run = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(256, 1), TinyModels.Clusters(64, 2), options, Short with { Epochs = 3 });
        var magnitude = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(256, 1), TinyModels.Clusters(64, 2), options with { Method = PruningMethod.Magnitude }, Short with { Epochs = 3 });
        Assert.Equal(magnitude.History.Select(h => h.Sparsity), run.History.Select(h => h.Sparsity));
    }

    [Fact]
    public void TwoOfFour_KeepsTwoInEveryGroupAlongTheInputAxis()
    {
        var options = new PruningOptions(PruningMethod.NM, N: 2, M: 4);
        var result = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options, Short);

        Assert.Equal(0.5, result.TotalSparsity);
        foreach (var name in new[] { "fc1.weight", "fc2.weight" })
        {
            var w = TinyModels.Values(result.Model, name); // [32 out, 32 in], Gemm transB=1: groups run along "in"
            for (var o = 0; o < 32; o++)
            {
                for (var g = 0; g < 8; g++)
                {
                    Assert.Equal(2, Enumerable.Range(0, 4).Count(i => w[(o * 32) + (g * 4) + i] == 0));
                }
            }
        }
    }

    [Fact]
    public void Allocator_IsExact_AndRespectsBounds()
    {
        var counts = global::Compress.Pruning.Pruners.SparsityAllocator.Allocate([10, 1000, 333], 0.8, null, 0, 0.85);
        Assert.Equal((long)Math.Round(0.8 * 1343), counts.Sum());
        Assert.True(counts[0] <= 8);
        Assert.True(counts[2] <= 283);
    }
}
