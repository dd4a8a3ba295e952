using Compress.Core.Tests.Training;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// <c>allocation: sensitivity</c> end to end on a model whose sensitivities are known: logits = x·Wᵀ + 0.001 · x·Sᵀ,
/// where the labels are argmax(x·Wᵀ). Every weight of <c>main.weight</c> (W) matters; <c>side.weight</c> (S) hardly
/// reaches the output, so pruning it costs nothing.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class SensitivityAllocationTests
{
    private const int Inputs = 16;
    private const int Classes = 4;
    private static readonly FineTuneOptions NoTraining = new(Epochs: 0, BatchSize: 64, Threads: 1); // one thread: float sums in a fixed order

    [Fact]
    public void Sensitivity_GivesTheInsensitiveLayerMoreThanUniform_AndTheSensitiveOneLess_WithinTheBand()
    {
        var result = Run(Options(0.5));

        // Band 0.35–0.65 of 64 weights each: ⌊22.4⌋ = 22 and ⌈41.6⌉ = 42; the total is 0.5 × 128 = 64.
        Assert.Equal(22, Zeros(result, "main.weight"));
        Assert.Equal(42, Zeros(result, "side.weight"));
    }

    [Theory]
    [InlineData(0.5, 0.05, 0.98, 28, 36)] // 0.45–0.55 of 64: ⌊28.8⌋ and ⌈35.2⌉
    [InlineData(0.5, 0.15, 0.55, 29, 35)] // max_layer_sparsity 0.55 is tighter than the band: ⌊35.2⌋
    [InlineData(0.8, 0.15, 0.98, 44, 58)] // 0.65–0.9 (not 0.95: half the uniform density); ⌈57.6⌉, and 102 in total
    [InlineData(0.3, 0.5, 0.98, 0, 38)] // 0–0.65: the total (38) runs out before the side layer's top (42)
    public void Sensitivity_NeverLeavesTheBand_RespectsMaxLayerSparsity_AndHitsTheTotalExactly(double target, double band, double max, long main, long side)
    {
        var options = Options(target) with { SensitivityBand = band, MaxLayerSparsity = max };

        var result = Run(options);

        Assert.Equal((long)Math.Round(target * 128, MidpointRounding.AwayFromZero), result.Layers.Sum(l => l.Zeros));
        Assert.Equal(main, Zeros(result, "main.weight"));
        Assert.Equal(side, Zeros(result, "side.weight"));
        Assert.All(result.Layers, l => Assert.True(l.Zeros <= Math.Floor(max * 64), $"{l.Name}: {l.Zeros} zeros above max_layer_sparsity {max}"));
    }

    [Fact]
    public void Sensitivity_MeasuresTheLossAtTheBandsLevels_AndIsDeterministic()
    {
        var first = Run(Options(0.8));
        var second = Run(Options(0.8));

        Assert.Equal(2 * 4, first.Sensitivity.Count); // 0.65, 0.75, 0.8, 0.9 for each layer
        Assert.Equal([0.65, 0.75, 0.8, 0.9], first.Sensitivity.Where(p => p.Tensor == "main.weight").Select(p => p.Sparsity));
        Assert.True(first.Sensitivity.Where(p => p.Tensor == "main.weight").Min(p => p.Loss) > first.Sensitivity.Where(p => p.Tensor == "side.weight").Max(p => p.Loss));
        // The same points; the loss to float rounding (a matrix kernel may sum in another order from run to run).
        Assert.Equal(first.Sensitivity.Select(p => (p.Tensor, p.Sparsity, p.Accuracy)), second.Sensitivity.Select(p => (p.Tensor, p.Sparsity, p.Accuracy)));
        Assert.All(first.Sensitivity.Zip(second.Sensitivity), p => Assert.Equal(p.First.Loss, p.Second.Loss, 1e-6));
        Assert.Equal(first.Layers.Select(l => l.Zeros), second.Layers.Select(l => l.Zeros));
    }

    private static PruningOptions Options(double target) =>
        new(PruningMethod.Magnitude, target, Allocation: SparsityAllocation.Sensitivity, ProtectFirstAndLast: false, Schedule: new ScheduleOptions(ScheduleKind.OneShot));

    private static long Zeros(CompressionResult result, string name) => result.Layers.Single(l => l.Name == name).Zeros;

    private static CompressionResult Run(PruningOptions options)
    {
        var random = new Random(7);
        var teacher = Enumerable.Range(0, Classes * Inputs).Select(_ => TinyModels.Gaussian(random)).ToArray();
        var model = Model(teacher, TinyModels.Uniform(random, Classes * Inputs, 1));
        return new CompressionEngine().Run(model, Data(teacher, 64, 1), Data(teacher, 256, 2), options, NoTraining);
    }

    private static ModelProto Model(float[] main, float[] side)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", (long)Inputs);
        var strong = b.Node("Gemm", [x, b.Initializer("main.weight", [.. main.Select(w => 3 * w)], Classes, Inputs)], ("transB", 1L));
        var weak = b.Node("Gemm", [x, b.Initializer("side.weight", side, Classes, Inputs)], ("transB", 1L));
        var scaled = b.Node("Mul", [weak, b.Initializer("side.scale", [0.001f], 1)]);
        b.Node("Add", [strong, scaled]);
        b.Graph.Node[^1].Output[0] = "logits";
        b.Output("logits", DataType.Float, "N", (long)Classes);
        return b.Build();
    }

    /// <summary>Standard normal inputs labelled by argmax(x·Wᵀ).</summary>
    private static ArrayTrainingData Data(float[] teacher, int count, int seed)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, count * Inputs).Select(_ => TinyModels.Gaussian(random)).ToArray();
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var scores = Enumerable.Range(0, Classes).Select(c => Enumerable.Range(0, Inputs).Sum(f => teacher[(c * Inputs) + f] * features[(i * Inputs) + f])).ToList();
            labels[i] = scores.IndexOf(scores.Max());
        }

        return new ArrayTrainingData(features, [Inputs], labels);
    }
}
