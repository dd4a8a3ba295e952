using System.Runtime.InteropServices;
using Compress.Core.Tests.Training;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Pruners;
using Compress.Training;
using Google.Protobuf;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// <c>allocation: lamp</c>: one threshold over LAMP's layer-normalised scores. What it is for: a BatchNorm the exporter
/// folds into a Conv rescales that layer's weights, and a global threshold on raw magnitudes then ranks layers by
/// their scale (on an exported DS-CNN it put 98% of the first Conv at zero, bench/kws); LAMP's ranking does not move
/// when a layer is rescaled.
/// </summary>
public sealed class LampAllocationTests
{
    private static readonly FineTuneOptions NoTraining = new(Epochs: 0, BatchSize: 32, LearningRate: 1e-3);

    [Fact]
    public void Lamp_IsTheSquaredScoreOverTheSquaresAtOrAboveIt_InfinitiesKept()
    {
        float[] scores = [3, 1, float.NegativeInfinity, 2, 2, float.PositiveInfinity, 0];

        var lamp = UnstructuredPruner.Lamp(scores);

        // Ranked ascending (ties by index): 0 (=0), 1, 2 (index 3), 2 (index 4), 3; squares 0, 1, 4, 4, 9.
        Assert.Equal(9f / 9, lamp[0], 6);
        Assert.Equal(4f / 13, lamp[4], 6);
        Assert.Equal(4f / 17, lamp[3], 6);
        Assert.Equal(1f / 18, lamp[1], 6);
        Assert.Equal(0f, lamp[6]);
        Assert.Equal(float.NegativeInfinity, lamp[2]);
        Assert.Equal(float.PositiveInfinity, lamp[5]);
    }

    [Fact]
    public void Lamp_MasksDoNotMoveWhenALayerIsRescaled_AGlobalMagnitudeThresholdDoes()
    {
        var model = TinyModels.Mlp();
        var rescaled = Scaled(model, "fc1.weight", 20f);

        var lamp = Prune(model, SparsityAllocation.Lamp);
        var lampRescaled = Prune(rescaled, SparsityAllocation.Lamp);
        var global = Prune(model, SparsityAllocation.Uniform);
        var globalRescaled = Prune(rescaled, SparsityAllocation.Uniform);

        foreach (var name in new[] { "fc0.weight", "fc1.weight", "fc2.weight", "fc3.weight" })
        {
            Assert.Equal(ZeroAt(lamp, name), ZeroAt(lampRescaled, name));
        }

        // The raw threshold moves the budget off the scaled-up layer: it keeps far more of fc1 than before.
        Assert.True(ZeroAt(globalRescaled, "fc1.weight").Count(z => z) < ZeroAt(global, "fc1.weight").Count(z => z) / 2);
    }

    [Fact]
    public void Lamp_HitsTheTotalExactly_WithinTheLayerBounds_KeepingEachLayersLargestWeights()
    {
        var model = Scaled(TinyModels.Mlp(), "fc2.weight", 0.01f);
        var options = new PruningOptions(PruningMethod.Magnitude, 0.7, Allocation: SparsityAllocation.Lamp, ProtectFirstAndLast: false, MaxLayerSparsity: 0.9, Schedule: new ScheduleOptions(ScheduleKind.OneShot));

        var result = new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options, NoTraining);

        var total = result.Layers.Sum(l => l.Elements);
        Assert.Equal((long)Math.Round(0.7 * total, MidpointRounding.AwayFromZero), result.Layers.Sum(l => l.Zeros));
        Assert.All(result.Layers, l => Assert.InRange(l.Sparsity, 0.0, 0.9 + 1e-9));
        Assert.True(result.Layers.Select(l => Math.Round(l.Sparsity, 2)).Distinct().Count() > 1, "one threshold gives layers different sparsities");
        foreach (var layer in result.Layers)
        {
            var before = TinyModels.Values(model, layer.Name);
            var after = TinyModels.Values(result.Model, layer.Name);
            var kept = before.Where((_, i) => after[i] != 0).Select(Math.Abs).ToList();
            var cut = before.Where((_, i) => after[i] == 0).Select(Math.Abs).ToList();
            Assert.True(cut.Count == 0 || kept.Min() >= cut.Max(), $"{layer.Name}: a kept weight is smaller than a pruned one");
        }

        // fc2, scaled down 100×, is not emptied as a raw threshold would (it hits max_layer_sparsity there).
        var raw = new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options with { Allocation = SparsityAllocation.Uniform, Scope = PruningScope.Global }, NoTraining);
        Assert.Equal(0.9, raw.Layers.Single(l => l.Name == "fc2.weight").Sparsity, 2);
        Assert.True(result.Layers.Single(l => l.Name == "fc2.weight").Sparsity < 0.85);
    }

    private static CompressionResult Prune(ModelProto model, SparsityAllocation allocation)
    {
        var options = new PruningOptions(PruningMethod.Magnitude, 0.6, PruningScope.Global, Allocation: allocation, ProtectFirstAndLast: false, Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        return new CompressionEngine().Run(model, TinyModels.Clusters(64, 1), TinyModels.Clusters(16, 2), options, NoTraining);
    }

    private static bool[] ZeroAt(CompressionResult result, string name) => [.. TinyModels.Values(result.Model, name).Select(v => v == 0)];

    private static ModelProto Scaled(ModelProto model, string name, float factor)
    {
        var copy = model.Clone();
        var tensor = copy.Graph.Initializer.Single(t => t.Name == name);
        var values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray().Select(v => v * factor).ToArray();
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return copy;
    }
}
