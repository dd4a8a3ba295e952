using Compress.Architectures;
using Compress.Evaluation;
using Compress.Onnx;

namespace Compress.Core.Tests.Evaluation;

/// <summary>
/// <see cref="LatencyComparison"/> on real models in ONNX Runtime. No assertion on absolute speed: only the direction
/// of the ratio between a DS-CNN and one with 16 times the channels and 4 times the blocks (hundreds of times the
/// arithmetic), which no machine load can turn round, and the bookkeeping (rounds, alternation, medians).
/// </summary>
public sealed class LatencyComparisonTests
{
    private static readonly byte[] Light = OnnxModelIO.Save(new DsCnn(3, Channels: 4, Blocks: 1, Seed: 1).Build());
    private static readonly byte[] Heavy = OnnxModelIO.Save(new DsCnn(3, Channels: 64, Blocks: 4, Seed: 2).Build());

    [Fact]
    public void Compare_HeavierCandidate_RatioAboveOne_AndTheOtherWayRoundBelowOne()
    {
        var heavier = LatencyComparison.Compare(Feed(Light, 1), Feed(Heavy, 1), rounds: 12);
        var lighter = LatencyComparison.Compare(Feed(Heavy, 1), Feed(Light, 1), rounds: 12);

        Assert.True(heavier.Ratio > 1, $"heavy/light median ratio {heavier.Ratio}");
        Assert.True(heavier.CandidateMsPerClip > heavier.ReferenceMsPerClip, $"light {heavier.ReferenceMsPerClip} ms, heavy {heavier.CandidateMsPerClip} ms");
        Assert.True(heavier.CandidateNotFaster);
        Assert.True(lighter.Ratio < 1, $"light/heavy median ratio {lighter.Ratio}");
        Assert.False(lighter.CandidateNotFaster);
    }

    [Fact]
    public void Compare_CountsTheRounds_AlternatesTheOrder_AndSummarisesThePerRoundRatios()
    {
        var result = LatencyComparison.Compare(Feed(Light, 1), Feed(Light, 1, seed: 3), rounds: 9);

        Assert.Equal(9, result.Rounds.Count);
        Assert.Equal(Enumerable.Range(0, 9).Select(r => r % 2 == 1), result.Rounds.Select(r => r.CandidateFirst));
        Assert.Equal(LatencyComparison.DefaultThreads, result.Threads);
        Assert.Equal(1, result.Batch);
        var ratios = result.Rounds.Select(r => r.CandidateMs / r.ReferenceMs).Order().ToList();
        Assert.Equal(ratios[4], result.Ratio, 12);
        Assert.Equal(ratios[0], result.RatioMin, 12);
        Assert.Equal(ratios[^1], result.RatioMax, 12);
        Assert.Equal(ratios[2], result.RatioP25, 12);
        Assert.Equal(ratios[6], result.RatioP75, 12);
        Assert.Equal(result.Rounds.Select(r => r.ReferenceMs).Order().ElementAt(4), result.ReferenceMsPerClip, 12);
        Assert.All(result.Rounds, r => Assert.True(r.ReferenceMs > 0 && r.CandidateMs > 0));
    }

    [Fact]
    public void Compare_Batched_ReportsMillisecondsPerClip()
    {
        var result = LatencyComparison.Compare(Feed(Light, 4), Feed(Heavy, 4), rounds: 3);

        Assert.Equal(4, result.Batch);
        Assert.Equal(result.Rounds.Select(r => r.CandidateMs).Order().ElementAt(1) / 4, result.CandidateMsPerClip, 12);
        Assert.True(result.Ratio > 1, $"heavy/light median ratio {result.Ratio}");
    }

    [Fact]
    public void Compare_EachModelInItsOwnShape()
    {
        // The same clips, [N, 1, 49, 40] to the DS-CNN and [N, 49, 40] to a model without the channel axis.
        var flat = OnnxModelIO.Save(FlatModel());
        var reference = Feed(Light, 1);
        var candidate = reference with { Model = flat, Shape = [1, 49, 40], Output = null };

        var result = LatencyComparison.Compare(reference, candidate, rounds: 3);

        Assert.Equal(3, result.Rounds.Count);
    }

    [Fact]
    public void Compare_FeedsOfDifferentBatches_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => LatencyComparison.Compare(Feed(Light, 1), Feed(Light, 2), rounds: 1));
    }

    /// <summary>Two inputs of <paramref name="batch"/> seeded clips of the DS-CNN's [1, 49, 40] features.</summary>
    private static LatencyFeed Feed(byte[] model, int batch, int seed = 1)
    {
        var random = new Random(seed);
        var batches = Enumerable.Range(0, 2)
            .Select(_ => Enumerable.Range(0, batch * 49 * 40).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())
            .ToList();
        return new LatencyFeed(model, batches, [batch, 1, 49, 40], DsCnn.OutputName);
    }

    /// <summary>[N, 49, 40] → Flatten → Gemm → [N, 3].</summary>
    private static Compress.Onnx.Proto.ModelProto FlatModel()
    {
        var b = new ModelBuilder();
        var x = b.Input("x", Compress.Onnx.Proto.TensorProto.Types.DataType.Float, "N", 49L, 40L);
        var flat = b.Node("Flatten", [x], ("axis", 1L));
        var w = b.Initializer("w", Enumerable.Range(0, 1960 * 3).Select(i => (i % 7) * 0.01f).ToArray(), 1960, 3);
        var y = b.Node("Gemm", [flat, w]);
        b.Graph.Node[^1].Output[0] = "y";
        b.Output("y", Compress.Onnx.Proto.TensorProto.Types.DataType.Float, "N", 3L);
        _ = y;
        return b.Build();
    }
}
