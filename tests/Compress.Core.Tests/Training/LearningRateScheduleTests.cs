using Compress.Core.Tests.Spec;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Core.Tests.Training;

/// <summary>The learning rate per step: warm-up, then constant, cosine, step decay, or cosine from the final sparsity on.</summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class LearningRateScheduleTests
{
    private const int StepsPerEpoch = 10;
    private const int Total = 80;

    [Fact]
    public void Cosine_DecaysFromTheBaseRateToZero_AfterTheWarmup()
    {
        var o = new FineTuneOptions(Epochs: 8, LearningRate: 0.01, WarmupEpochs: 1, LrSchedule: LrScheduleKind.Cosine);

        Assert.Equal(0.001, LearningRateSchedule.At(o, 0, StepsPerEpoch, Total), 12);
        Assert.Equal(0.01, LearningRateSchedule.At(o, 9, StepsPerEpoch, Total), 12);
        Assert.Equal(0.01, LearningRateSchedule.At(o, 10, StepsPerEpoch, Total), 12);
        Assert.Equal(0.005, LearningRateSchedule.At(o, 45, StepsPerEpoch, Total), 12);
        Assert.True(LearningRateSchedule.At(o, 79, StepsPerEpoch, Total) < 1e-4);
    }

    [Fact]
    public void ConstantAndStep_AreTheBaseRate_AndItsPowersOfGamma()
    {
        var constant = new FineTuneOptions(Epochs: 8, LearningRate: 0.01, LrSchedule: LrScheduleKind.Constant);
        var step = constant with { LrSchedule = LrScheduleKind.Step, StepGamma = 0.5, StepEpochs = 2 };

        Assert.Equal(0.01, LearningRateSchedule.At(constant, 79, StepsPerEpoch, Total), 12);
        Assert.Equal(0.01, LearningRateSchedule.At(step, 19, StepsPerEpoch, Total), 12);
        Assert.Equal(0.005, LearningRateSchedule.At(step, 20, StepsPerEpoch, Total), 12);
        Assert.Equal(0.0025, LearningRateSchedule.At(step, 45, StepsPerEpoch, Total), 12);
    }

    [Fact]
    public void CosineAfterPruning_HoldsTheBaseRateWhilePruning_ThenDecaysOverTheRest()
    {
        var o = new FineTuneOptions(Epochs: 8, LearningRate: 0.01, LrSchedule: LrScheduleKind.CosineAfterPruning);

        // Still pruning: the base rate, wherever the step is.
        Assert.Equal(0.01, LearningRateSchedule.At(o, 0, StepsPerEpoch, Total), 12);
        Assert.Equal(0.01, LearningRateSchedule.At(o, 59, StepsPerEpoch, Total), 12);

        // Final sparsity from step 40 on: a full cosine over steps 40..79.
        Assert.Equal(0.01, LearningRateSchedule.At(o, 40, StepsPerEpoch, Total, finalSparsityFrom: 40), 12);
        Assert.Equal(0.005, LearningRateSchedule.At(o, 60, StepsPerEpoch, Total, finalSparsityFrom: 40), 12);
        Assert.True(LearningRateSchedule.At(o, 79, StepsPerEpoch, Total, finalSparsityFrom: 40) < 2e-4);

        // Nothing to prune (final from step 0): exactly the cosine schedule, warm-up included.
        var warm = o with { WarmupEpochs = 1 };
        var cosine = warm with { LrSchedule = LrScheduleKind.Cosine };
        for (var s = 0; s < Total; s++)
        {
            Assert.Equal(LearningRateSchedule.At(cosine, s, StepsPerEpoch, Total), LearningRateSchedule.At(warm, s, StepsPerEpoch, Total, finalSparsityFrom: 0));
        }
    }

    [Fact]
    public void Spec_CosineAfterPruning_ReachesTheFineTuneOptions()
    {
        var spec = SpecAssert.Parses("""
            model: models/kws.onnx
            data:
              root: data
            labels: [yes, no]
            finetune:
              lr_schedule: cosine-after-pruning

            """, "compress.yaml");

        Assert.Equal(LrScheduleKind.CosineAfterPruning, SpecMapping.FineTune(spec.Finetune, 1, 1).LrSchedule);
    }

    [Fact]
    public void CosineAfterPruning_InTheLoop_WithNothingToPrune_TrainsExactlyAsCosine()
    {
        var none = new PruningOptions(PruningMethod.None);
        var options = new FineTuneOptions(Epochs: 2, BatchSize: 32, LearningRate: 3e-3, Seed: 3, Threads: 1);
        byte[] Train(LrScheduleKind kind) => OnnxModelIO.Save(new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(128, 1), TinyModels.Clusters(32, 2), none, options with { LrSchedule = kind }).Model);

        Assert.Equal(Train(LrScheduleKind.Cosine), Train(LrScheduleKind.CosineAfterPruning));
        Assert.NotEqual(Train(LrScheduleKind.Cosine), Train(LrScheduleKind.Constant));
    }

    [Fact]
    public void CosineAfterPruning_InTheLoop_WhilePruning_TrainsAtTheBaseRateUntilTheFinalSparsity()
    {
        // A ramp ending after the last step keeps the final sparsity for Finish: every step runs at the base rate,
        // so the run equals a constant-rate one, and differs from cosine.
        var ramp = new PruningOptions(PruningMethod.Magnitude, 0.5, Schedule: new ScheduleOptions(BeginEpoch: 0, EndEpoch: 2, FrequencySteps: 1));
        var options = new FineTuneOptions(Epochs: 2, BatchSize: 32, LearningRate: 3e-3, Seed: 3, Threads: 1);
        byte[] Train(LrScheduleKind kind) => OnnxModelIO.Save(new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(128, 1), TinyModels.Clusters(32, 2), ramp, options with { LrSchedule = kind }).Model);

        Assert.Equal(Train(LrScheduleKind.Constant), Train(LrScheduleKind.CosineAfterPruning));
        Assert.NotEqual(Train(LrScheduleKind.Cosine), Train(LrScheduleKind.CosineAfterPruning));
    }
}
