using Compress.Diagnostics;
using Compress.Graph;
using Compress.Pruning;
using Compress.Training;
using Google.Protobuf;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Training;

/// <summary>Tests that set TorchSharp's thread count share this collection, so they never run at the same time.</summary>
[CollectionDefinition(Name)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch threads";
}

[Collection(TorchThreadsCollection.Name)]
public sealed class FineTuneTests
{
    [Fact]
    public void MethodNone_TrainsARandomNetwork_WellAboveChance()
    {
        var result = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(512, 1), TinyModels.Clusters(128, 2), new PruningOptions(), new FineTuneOptions(Epochs: 4, BatchSize: 32, LearningRate: 3e-3));

        Assert.True(result.ValidationAccuracy > 0.9, $"accuracy {result.ValidationAccuracy}");
        Assert.Empty(result.Layers);
        Assert.Equal(4, result.History.Count);
        Assert.True(result.History[^1].Loss < result.History[0].Loss);
        Assert.True(result.SamplesPerSecond > 0);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, LrScheduleKind.Step)]
    [InlineData(OptimizerKind.Adam, LrScheduleKind.Cosine)]
    [InlineData(OptimizerKind.AdamW, LrScheduleKind.Constant)]
    public void SameSeed_GivesByteIdenticalWeights(OptimizerKind optimizer, LrScheduleKind schedule)
    {
        var options = new FineTuneOptions(Epochs: 2, BatchSize: 16, Optimizer: optimizer, LrSchedule: schedule, LearningRate: 0.01, WeightDecay: 1e-4, Nesterov: optimizer == OptimizerKind.Sgd, StepEpochs: 1, WarmupEpochs: 1, GradientClip: 1, LabelSmoothing: 0.1, Seed: 5, Threads: 1);
        var pruning = new PruningOptions(PruningMethod.Magnitude, 0.5);
        byte[] Train(FineTuneOptions o) => new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(128, 1), TinyModels.Clusters(32, 2), pruning, o).Model.ToByteArray();

        var first = Train(options);
        Assert.Equal(first, Train(options));
        Assert.NotEqual(first, Train(options with { Seed = 6 }));
    }

    [Theory]
    [InlineData(PruningMethod.Gradient)]
    [InlineData(PruningMethod.L1)]
    [InlineData(PruningMethod.NM)]
    [InlineData(PruningMethod.Channel)]
    public void EveryMethod_IsDeterministic(PruningMethod method)
    {
        var options = new FineTuneOptions(Epochs: 2, BatchSize: 16, Seed: 3, Threads: 1, DistillationWeight: 0.3);
        var pruning = new PruningOptions(method, 0.5, GradientBatches: 2, RegularizationEpochs: 1, ChannelCriterion: ChannelCriterion.Taylor, Schedule: new ScheduleOptions(FrequencySteps: 3));
        byte[] Train() => new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(96, 1), TinyModels.Clusters(32, 2), pruning, options).Model.ToByteArray();

        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void Masks_HoldAfterEveryAdamStep_AndMomentumDoesNotReviveThem()
    {
        var model = TinyModels.Mlp();
        var train = TinyModels.Clusters(256, 1);
        var options = new FineTuneOptions(Epochs: 3, BatchSize: 16, LearningRate: 0.05, LrSchedule: LrScheduleKind.Constant, Optimizer: OptimizerKind.Adam);
        // Prune at the start of epoch 2, after Adam has built up momentum for every weight.
        var pruning = new PruningOptions(PruningMethod.Magnitude, 0.8, Schedule: new ScheduleOptions(ScheduleKind.OneShot, BeginEpoch: 1));
        using var module = OnnxGraphModule.Create(model);
        string[] names = ["fc1.weight", "fc2.weight"];
        using var hook = new UnstructuredPruningHook(module, names, pruning, options, train);
        var checkedSteps = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.ValidationMetric is not null || hook.Sparsity == 0)
            {
                return;
            }

            foreach (var name in names)
            {
                using var scope = NewDisposeScope();
                var pruned = hook.Masks[name] == 0;
                Assert.Equal(0, module.OnnxParameters[name].detach().masked_select(pruned).abs().sum().item<float>());
            }

            checkedSteps++;
        });
        new FineTuneLoop(module, null, options, hook).Run(train, TinyModels.Clusters(32, 2), progress, default);

        Assert.Equal(2 * (256 / 16), checkedSteps);
        Assert.Equal((long)Math.Round(0.8 * 2048), names.Sum(hook.Masks.PrunedCount));
    }

    [Fact]
    public void NonFiniteLoss_StopsWithStepEpochAndLastFiniteLoss()
    {
        var data = TinyModels.Clusters(64, 1);
        var features = new float[64 * TinyModels.Features];
        for (var i = 0; i < 64; i++)
        {
            data.ReadFeatures(i, features.AsSpan(i * TinyModels.Features, TinyModels.Features));
        }

        // Huge inputs and learning rate: the loss overflows within a few steps.
        var huge = new ArrayTrainingData(features.Select(v => v * 1e18f).ToArray(), [TinyModels.Features], Enumerable.Range(0, 64).Select(i => i % 4).ToArray());
        var e = Assert.Throws<CompressException>(() => new CompressionEngine().Run(TinyModels.Mlp(), huge, data, new PruningOptions(), new FineTuneOptions(Epochs: 5, BatchSize: 8, Optimizer: OptimizerKind.Sgd, LearningRate: 1e6)));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(TrainingMessages.NonFiniteLossCode, d.Code);
        Assert.Matches(@"at epoch \d+, step \d+ \(last finite loss: ([0-9.]+|none)\)", d.Message);
        Assert.Contains(TrainingMessages.NonFiniteLossAdvice, d.Message);
    }

    [Fact]
    public void NanFeatures_StopAtTheFirstStep()
    {
        var nan = new ArrayTrainingData(Enumerable.Repeat(float.NaN, 32 * TinyModels.Features).ToArray(), [TinyModels.Features], new int[32]);
        var e = Assert.Throws<CompressException>(() => new CompressionEngine().Run(TinyModels.Mlp(), nan, TinyModels.Clusters(8, 2), new PruningOptions(), new FineTuneOptions(Epochs: 1, BatchSize: 8)));

        Assert.Contains("at epoch 1, step 1 (last finite loss: none)", Assert.Single(e.Diagnostics).Message);
    }

    [Fact]
    public void DataThatDoesNotFitTheModel_IsReportedBeforeTraining()
    {
        var wrongShape = new ArrayTrainingData(new float[8 * 10], [10], new int[8]);
        var e = Assert.Throws<CompressException>(() => new CompressionEngine().Run(TinyModels.Mlp(), wrongShape, TinyModels.Clusters(8, 2), new PruningOptions(), new FineTuneOptions(Epochs: 1)));
        Assert.Equal(TrainingMessages.DataMismatchCode, e.Diagnostics[0].Code);

        var badLabel = new ArrayTrainingData(new float[8 * TinyModels.Features], [TinyModels.Features], [0, 1, 2, 3, 4, 0, 1, 2]);
        e = Assert.Throws<CompressException>(() => new CompressionEngine().Run(TinyModels.Mlp(), badLabel, TinyModels.Clusters(8, 2), new PruningOptions(), new FineTuneOptions(Epochs: 1)));
        Assert.Contains("item 4 has label 4 but the model has 4 classes", e.Diagnostics[0].Message);
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatienceEpochsWithoutImprovement()
    {
        // A learning rate this small changes nothing, so accuracy never improves after the first epoch.
        var result = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(64, 1), TinyModels.Clusters(32, 2), new PruningOptions(), new FineTuneOptions(Epochs: 10, BatchSize: 16, LearningRate: 1e-12, EarlyStopPatience: 2));

        Assert.Equal(3, result.EpochsRun);
        Assert.Equal(3, result.History.Count);
    }

    [Fact]
    public void Distillation_IsZeroForIdenticalLogits_AndTrainsWithATeacher()
    {
        using (var scope = NewDisposeScope())
        {
            var logits = tensor(new float[] { 1, 2, 3, -1, 0, 4 }, [2, 3]);
            Assert.Equal(0, Losses.Distillation(logits, logits, 4).item<float>(), 6);
            Assert.True(Losses.Distillation(logits, logits.flip(1), 4).item<float>() > 0.1);
        }

        var result = new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(256, 1), TinyModels.Clusters(64, 2), new PruningOptions(PruningMethod.Magnitude, 0.5), new FineTuneOptions(Epochs: 2, BatchSize: 32, DistillationWeight: 0.5, Temperature: 2));
        Assert.Equal(1024, result.Layers.Sum(l => l.Zeros));
    }

    [Fact]
    public void Cancellation_StopsBetweenSteps()
    {
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new SynchronousProgress(_ =>
        {
            if (++steps == 3)
            {
                cancel.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(256, 1), TinyModels.Clusters(16, 2), new PruningOptions(), new FineTuneOptions(Epochs: 5, BatchSize: 16), progress, cancel.Token));
        Assert.Equal(3, steps);
    }

    [Fact]
    public void LabelSmoothing_MatchesTheDefinition()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2, 0, -1 }, [1, 3]);
        var logp = logits.log_softmax(1).data<float>().ToArray();
        var expected = (0.9 * -logp[0]) + (0.1 * -logp.Average());
        Assert.Equal(expected, Losses.CrossEntropy(logits, tensor(new long[] { 0 }), 0.1).item<float>(), 5);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
