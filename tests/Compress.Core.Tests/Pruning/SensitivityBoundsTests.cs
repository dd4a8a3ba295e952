using Compress.Pruning;
using Compress.Core.Tests.Spec;
using Compress.Core.Tests.Training;
using Compress.Diagnostics;
using Compress.Pipeline;
using Compress.Pruning.Pruners;

namespace Compress.Core.Tests.Pruning;

/// <summary>The band of <c>allocation: sensitivity</c> and the greedy choice inside it, on made-up loss curves (no torch).</summary>
public sealed class SensitivityBoundsTests
{
    private static PruningOptions Options(double target, double band = PruningOptions.DefaultSensitivityBand, double max = PruningOptions.DefaultMaxLayerSparsity, double min = 0) =>
        new(PruningMethod.Magnitude, target, MinLayerSparsity: min, MaxLayerSparsity: max, Allocation: SparsityAllocation.Sensitivity, SensitivityBand: band);

    [Theory]
    [InlineData(0.5, 0.15, 0.98, 0, 0.35, 0.65)]
    [InlineData(0.8, 0.15, 0.98, 0, 0.65, 0.9)] // (1 + 0.8) / 2: a layer keeps at least half the 20 % uniform leaves it
    [InlineData(0.9, 0.15, 0.98, 0, 0.75, 0.95)]
    [InlineData(0.5, 0.15, 0.6, 0.4, 0.4, 0.6)] // min/max_layer_sparsity are tighter than the band
    [InlineData(0.1, 0.15, 0.98, 0, 0, 0.25)]
    [InlineData(0.5, 0, 0.98, 0, 0.5, 0.5)]
    public void Band_IsTheTargetPlusMinusTheBand_CappedAtHalfTheUniformDensity_AndInsideMinMax(double target, double band, double max, double min, double low, double high)
    {
        var (l, h) = SensitivityBounds.Band(Options(target, band, max, min));

        Assert.Equal(low, l, 12);
        Assert.Equal(high, h, 12);
    }

    [Fact]
    public void SweepLevels_AreTheBandEndsTheTargetAndTheFixedLevelsInside()
    {
        Assert.Equal([0.65, 0.75, 0.8, 0.9], SensitivityBounds.SweepLevels(Options(0.8)));
        Assert.Equal([0.35, 0.5, 0.65], SensitivityBounds.SweepLevels(Options(0.5)));
        Assert.Equal([0.1, 0.25, 0.5, 0.75], SensitivityBounds.SweepLevels(Options(0.5, band: 0.4)));
    }

    [Fact]
    public void Choose_GivesTheFlatLayerTheTopOfTheBand_AndTheSteepOneTheBottom()
    {
        var options = Options(0.5);
        var levels = SensitivityBounds.SweepLevels(options);

        var counts = SensitivityBounds.Choose([1000, 1000], levels, [[0, 0, 0], [0.5, 1, 2]], options);

        Assert.Equal([650L, 350L], Assert.IsType<long[]>(counts));
    }

    [Fact]
    public void Choose_AWiderBand_GivesTheFlatLayerMore_ButNeverBelowHalfItsUniformDensity()
    {
        var levels = new[] { 0.25, 0.5, 0.75, 0.9, 0.98 };
        var curves = new IReadOnlyList<double>[] { [0, 0, 0, 0, 0], [0.1, 0.3, 0.6, 1, 2] };

        var wide = SensitivityBounds.Choose([100, 100], levels, curves, Options(0.5, band: 1))!;
        var banded = SensitivityBounds.Choose([100, 100], levels, curves, Options(0.5))!;

        Assert.Equal(75, wide[0]); // (1 + 0.5) / 2 caps even a band of 1
        Assert.Equal(65, banded[0]);
        Assert.Equal(35, banded[1]);
    }

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Choose_RandomLayersAndCurves_StaysInTheBand_InsideMax_AndHitsTheTotalExactly(int seed)
    {
        var random = new Random(seed);
        var sizes = Enumerable.Range(0, 2 + random.Next(8)).Select(_ => (long)(100 + random.Next(5000))).ToList();
        foreach (var target in new[] { 0.3, 0.5, 0.8, 0.9 })
        {
            foreach (var band in new[] { 0, 0.05, 0.15, 0.5 })
            {
                foreach (var max in new[] { 0.98, 0.92 })
                {
                    var options = Options(target, band, max, min: random.NextDouble() < 0.5 ? 0 : target / 2);
                    var levels = SensitivityBounds.SweepLevels(options);
                    var curves = sizes.Select(_ => (IReadOnlyList<double>)[.. levels.Select(_ => (random.NextDouble() - 0.2) * 3)]).ToList();

                    var counts = SensitivityBounds.Choose(sizes, levels, curves, options);

                    var total = SensitivityBounds.Target(sizes, target);
                    if (SensitivityBounds.MaxReachable(sizes, options) * sizes.Sum() < total - 1e-6)
                    {
                        Assert.Null(counts);
                        continue;
                    }

                    Assert.NotNull(counts);
                    Assert.Equal(total, counts.Sum());
                    var (low, high) = SensitivityBounds.Band(options);
                    for (var i = 0; i < sizes.Count; i++)
                    {
                        var n = sizes[i];
                        Assert.InRange(counts[i], (long)Math.Floor((low * n) + 1e-9), (long)Math.Ceiling((high * n) - 1e-9));
                        Assert.InRange(counts[i], (long)Math.Ceiling((options.MinLayerSparsity * n) - 1e-9), (long)Math.Floor((max * n) + 1e-9));
                    }

                    Assert.Equal(counts, SensitivityBounds.Choose(sizes, levels, curves, options));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ratios_GiveBackTheChosenCountsThroughTheAllocator(int seed)
    {
        var random = new Random(seed);
        var sizes = Enumerable.Range(0, 2 + random.Next(8)).Select(_ => (long)(100 + random.Next(300000))).ToList();
        var options = Options(0.8);
        var levels = SensitivityBounds.SweepLevels(options);
        var curves = sizes.Select(_ => (IReadOnlyList<double>)[.. levels.Select(_ => random.NextDouble())]).ToList();
        var counts = SensitivityBounds.Choose(sizes, levels, curves, options)!;

        var allocated = SparsityAllocator.Allocate(sizes, options.TargetSparsity, SensitivityBounds.Ratios(counts, sizes, options.TargetSparsity), options.MinLayerSparsity, options.MaxLayerSparsity);

        Assert.Equal(counts, allocated);
    }

    [Fact]
    public void SensitivityBand_FromTheSpecOrAnOverride_ReachesTheEngineOptions()
    {
        const string Yaml = "model: m.onnx\ndata:\n  root: data\nlabels: [yes, no]\npruning:\n  method: magnitude\n  target_sparsity: 0.8\n  allocation: sensitivity\n  sensitivity_band: 0.25\n";
        var file = Path.Combine(Path.GetTempPath(), "compress.yaml");

        Assert.Equal(0.25, SpecMapping.Pruning(SpecAssert.Parses(Yaml, file).Pruning).SensitivityBand);
        Assert.Equal(0.05, SpecMapping.Pruning(SpecAssert.Parses(Yaml, file, "pruning.sensitivity_band=0.05").Pruning).SensitivityBand);
    }

    [Fact]
    public void Choose_WhenTheBandCannotReachTheTarget_ReturnsNull()
    {
        // Band 0 and max 0.58: the 10-weight layer may prune 5 (not 5.5 → 6), the other 55, and 0.55 × 110 rounds to 61.
        var options = Options(0.55, band: 0, max: 0.58);

        Assert.Null(SensitivityBounds.Choose([10, 100], [0.55], [[0], [0]], options));
        Assert.Equal(60.0 / 110, SensitivityBounds.MaxReachable([10, 100], options), 12);
    }

    [Fact]
    public void Validator_ReportsCMP4003_WhenOnlyTheBandMakesTheTargetUnreachable()
    {
        // 64, 16, 16 and 16 weights; 0.03 × 112 rounds to 3. max 0.05 allows 3 (all in the 64-weight layer), band 0
        // allows ⌈0.03 × 64⌉ = 2 there and ⌊0.05 × 16⌋ = 0 elsewhere.
        var model = TinyModels.Mlp(hidden: 4);
        var options = Options(0.03, band: 0, max: 0.05) with { ProtectFirstAndLast = false };

        var problem = Assert.Single(PruningValidator.Validate(model, options));

        Assert.Equal(TrainingMessages.TargetUnreachableCode, problem.Code);
        Assert.Contains("sensitivity_band 0", problem.Message, StringComparison.Ordinal);
        Assert.Empty(PruningValidator.Validate(model, options with { Allocation = SparsityAllocation.Uniform }));
    }
}
