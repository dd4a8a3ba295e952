using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Training;
using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;
using Google.Protobuf;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// <c>pruning.regularization: group-lasso</c>: λ·Σ over the alive channels of ‖the channel's weights‖₂, over every
/// slice the channel criterion scores, while the schedule prunes.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class GroupLassoTests
{
    private const double Lambda = 0.5;
    private static readonly PruningOptions GroupLasso = new(PruningMethod.Channel, 0.5, ProtectFirstAndLast: false, RegularizationLambda: Lambda, Regularization: ChannelRegularization.GroupLasso);
    private static readonly FineTuneOptions NoTraining = new(Epochs: 0, BatchSize: 4);

    public GroupLassoTests() => Compress.Runtime.TorchRuntime.Initialize();

    private static ArrayTrainingData Data(params long[] itemShape) =>
        new(new float[2 * itemShape.Aggregate(1L, (a, d) => a * d)], itemShape, new int[2]);

    private static float[] Values(OnnxGraphModule module, string name) => module.OnnxParameters[name].detach().data<float>().ToArray();

    private static double PenaltyValue(ChannelPruningHook hook)
    {
        using var scope = NewDisposeScope();
        using var penalty = hook.Penalty(0);
        Assert.NotNull(penalty);
        return penalty.item<float>();
    }

    /// <summary>Σ w² of channel <paramref name="c"/> of FlattenGemm's conv: its filter conv.weight[c] and the 36 columns fc.weight[:, 36c..36c+35] it feeds.</summary>
    private static double FlattenGemmChannel(float[] conv, float[] fc, int c)
    {
        var sum = 0.0;
        for (var i = 0; i < 2 * 3 * 3; i++)
        {
            sum += (double)conv[(c * 18) + i] * conv[(c * 18) + i];
        }

        for (var o = 0; o < 5; o++)
        {
            for (var j = 0; j < 36; j++)
            {
                var v = fc[(o * 288) + (c * 36) + j];
                sum += (double)v * v;
            }
        }

        return sum;
    }

    [Fact]
    public void Penalty_IsLambdaTimesTheSumOfChannelNorms_ByHand_AndLeavesRemovedChannelsOut()
    {
        var model = ChannelModels.FlattenGemm();
        using var module = OnnxGraphModule.Create(model);
        using var hook = new ChannelPruningHook(module, GroupLasso, NoTraining, Data(2, 8, 8));
        var conv = Values(module, "conv.weight");
        var fc = Values(module, "fc.weight");

        // Biases are not weights: conv.bias is in the group but not in the penalty.
        var expected = Lambda * Enumerable.Range(0, 8).Sum(c => Math.Sqrt(FlattenGemmChannel(conv, fc, c)));
        Assert.Equal(expected, PenaltyValue(hook), expected * 1e-5);

        hook.PruneTo(0.25); // two of the eight channels go; their fc columns are not masked, only cut at the end
        var removed = hook.Pruner.Removed(hook.Pruner.Groups.Single());
        Assert.Equal(2, removed.Count);
        conv = Values(module, "conv.weight");
        fc = Values(module, "fc.weight");
        Assert.Contains(removed, c => FlattenGemmChannel(conv, fc, c) > 0);
        var alive = Lambda * Enumerable.Range(0, 8).Where(c => !removed.Contains(c)).Sum(c => Math.Sqrt(FlattenGemmChannel(conv, fc, c)));
        Assert.Equal(alive, PenaltyValue(hook), alive * 1e-5);
    }

    public static TheoryData<string> Models() => ["concat-branches", "gru"];

    private static (ModelProto Model, long[] ItemShape) Model(string name) => name switch
    {
        "concat-branches" => (ChannelModels.ConcatBranches(), [3, 10]),
        "gru" => (PrunableWeights.Prepare(ConstantFoldingTests.GruAsExported(hidden: 8)), [5, 6]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Concat segments (slice offsets) and GRU gate blocks (repeats along W and R, and R's input axis): the penalty follows the pruner's slices.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Penalty_FollowsThePrunersSlices_ElementByElement(string name)
    {
        var (model, itemShape) = Model(name);
        using var module = OnnxGraphModule.Create(model);
        using var hook = new ChannelPruningHook(module, GroupLasso, NoTraining, Data(itemShape));
        var weights = PrunableWeights.Find(model, GroupLasso).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(hook.Pruner.Groups.SelectMany(g => g.Slices), s => weights.Contains(s.Tensor) && (s.Offset > 0 || s.Repeats > 1));
        Assert.Contains(hook.Pruner.Groups.SelectMany(g => g.Slices), s => !weights.Contains(s.Tensor)); // biases, BN: in the group, not penalised

        hook.PruneTo(0.25);
        var expected = 0.0;
        foreach (var group in hook.Pruner.Groups)
        {
            for (var c = 0; c < group.Size; c++)
            {
                if (hook.Pruner.Removed(group).Contains(c))
                {
                    continue;
                }

                var sum = 0.0;
                foreach (var slice in group.Slices.Where(s => weights.Contains(s.Tensor)))
                {
                    var values = Values(module, slice.Tensor);
                    var shape = module.OnnxParameters[slice.Tensor].shape;
                    var inner = shape.Skip(slice.Axis + 1).Aggregate(1L, (a, d) => a * d);
                    var indices = slice.IndicesOf(c).ToHashSet();
                    sum += values.Where((_, i) => indices.Contains(i / inner % shape[slice.Axis])).Sum(v => (double)v * v);
                }

                expected += Math.Sqrt(sum);
            }
        }

        Assert.Equal(Lambda * expected, PenaltyValue(hook), Lambda * expected * 1e-5);
    }

    [Fact]
    public void GradientDescentOnThePenalty_ShrinksEveryChannelNormByTheSameStep_SoTheWeakestGoFirst()
    {
        var model = ChannelModels.FlattenGemm();
        using var module = OnnxGraphModule.Create(model);
        using var hook = new ChannelPruningHook(module, GroupLasso, NoTraining, Data(2, 8, 8));
        const double rate = 0.01;
        const int steps = 20;
        double[] Norms() => Enumerable.Range(0, 8).Select(c => Math.Sqrt(FlattenGemmChannel(Values(module, "conv.weight"), Values(module, "fc.weight"), c))).ToArray();
        var before = Norms();
        var convBias = Values(module, "conv.bias");
        var fcBias = Values(module, "fc.bias");
        Assert.True(before.Min() > steps * rate * Lambda * 2, $"smallest norm {before.Min()}");

        using (var optimizer = new ScalarSafeOptimizer(OptimizerKind.Sgd, [.. module.OnnxParameters.Values], rate))
        {
            for (var i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                hook.Penalty(0)!.backward();
                optimizer.Step();
            }
        }

        // d‖w‖/dw = w/‖w‖, a unit vector: each SGD step takes rate·λ off every channel's norm, whatever its size (an
        // L2 penalty would scale every weight by the same factor instead and keep the ratios).
        var after = Norms();
        for (var c = 0; c < 8; c++)
        {
            Assert.Equal(before[c] - (steps * rate * Lambda), after[c], 1e-4);
        }

        var weakest = Array.IndexOf(before, before.Min());
        var strongest = Array.IndexOf(before, before.Max());
        Assert.True(after[weakest] / before[weakest] < after[strongest] / before[strongest]);
        Assert.True(after.Min() / after.Max() < before.Min() / before.Max());
        Assert.Equal(convBias, Values(module, "conv.bias")); // not penalised, so untouched
        Assert.Equal(fcBias, Values(module, "fc.bias"));
    }

    [Fact]
    public void Penalty_RunsWhileTheScheduleRaisesTheSparsity_AndStopsAtTheTarget()
    {
        var model = ChannelModels.FlattenGemm();
        using var module = OnnxGraphModule.Create(model);
        using var hook = new ChannelPruningHook(module, GroupLasso, NoTraining, Data(2, 8, 8));
        Assert.True(PenaltyValue(hook) > 0);
        hook.PruneTo(0.25);
        Assert.True(PenaltyValue(hook) > 0);
        hook.PruneTo(0.5);
        Assert.Null(hook.Penalty(0)); // recovery trains on the task loss alone

        using var none = new ChannelPruningHook(module, GroupLasso with { Regularization = ChannelRegularization.None }, NoTraining, Data(2, 8, 8));
        Assert.Null(none.Penalty(0));
        using var zero = new ChannelPruningHook(module, GroupLasso with { RegularizationLambda = 0 }, NoTraining, Data(2, 8, 8));
        Assert.Null(zero.Penalty(0));
    }

    private static readonly FineTuneOptions Train = new(Epochs: 3, BatchSize: 32, LearningRate: 3e-3, Seed: 5, Threads: 1);

    private static CompressionResult Run(PruningOptions options) =>
        new CompressionEngine().Run(TinyModels.Mlp(), TinyModels.Clusters(128, 1), TinyModels.Clusters(32, 2), options, Train);

    [Fact]
    public void NoneOrLambdaZero_TrainsBitIdentically_WhileAPenaltyChangesTheWeights()
    {
        var channel = new PruningOptions(PruningMethod.Channel, 0.5);
        var today = Run(channel).Model.ToByteArray();

        Assert.Equal(today, Run(channel with { Regularization = ChannelRegularization.GroupLasso, RegularizationLambda = 0 }).Model.ToByteArray());
        Assert.NotEqual(today, Run(channel with { Regularization = ChannelRegularization.GroupLasso, RegularizationLambda = 1e-2 }).Model.ToByteArray());
    }

    [Fact]
    public void RegularizationEpochs_DelayTheScheduleForAPenaltyOnlyPhase_AsForL1AndL2()
    {
        var options = new PruningOptions(PruningMethod.Channel, 0.5, Schedule: new ScheduleOptions(ScheduleKind.OneShot), RegularizationLambda: 1e-2, RegularizationEpochs: 1, Regularization: ChannelRegularization.GroupLasso);

        var phased = Run(options);
        var plain = Run(options with { Regularization = ChannelRegularization.None });

        Assert.Equal(0, phased.History[0].Sparsity); // the phase prunes nothing
        Assert.Equal(0.5, plain.History[0].Sparsity); // one-shot at step 0: without group lasso regularization_epochs means nothing
        Assert.Equal(plain.Layers.Sum(l => l.Zeros), phased.Layers.Sum(l => l.Zeros));
    }
}
