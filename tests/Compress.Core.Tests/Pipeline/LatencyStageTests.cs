using Compress.Data;
using Compress.Onnx;
using Compress.Pipeline;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary><see cref="LatencyStage.Feed"/>: the same test clips, each model in its own input shape.</summary>
public sealed class LatencyStageTests
{
    [Fact]
    public void Feed_OneClipPerCall_CyclesThroughTheFirstClips_InTheModelsShape()
    {
        using var set = new Clips(count: 20, 1, 5);

        var pcm = LatencyStage.Feed([], Model(5L), set, 1, "y");
        var withChannel = LatencyStage.Feed([], Model(1L, 5L), set, 1, "y");

        Assert.Equal([1L, 5L], pcm.Shape);            // [1, samples] fed as [samples] to an [N, samples] input
        Assert.Equal([1L, 1L, 5L], withChannel.Shape);
        Assert.Equal(LatencyStage.Clips, pcm.Batches.Count);
        Assert.Equal(pcm.Batches.Select(b => b.ToArray()), withChannel.Batches.Select(b => b.ToArray()));
        Assert.Equal([3f, 3f, 3f, 3f, 3f], pcm.Batches[3]);
        Assert.Equal("y", pcm.Output);
    }

    [Fact]
    public void Feed_Batched_IsOneCallOfTheFirstClips()
    {
        using var set = new Clips(count: 20, 1, 2);

        var feed = LatencyStage.Feed([], Model(2L), set, 3, null);

        Assert.Equal([3L, 2L], feed.Shape);
        Assert.Equal(3, feed.Batch);
        Assert.Equal([0f, 0f, 1f, 1f, 2f, 2f], Assert.Single(feed.Batches));
    }

    /// <summary>A model whose data input is [N, dims...] (its graph is never run here).</summary>
    private static Compress.Onnx.Proto.ModelProto Model(params object[] dims)
    {
        var b = new ModelBuilder();
        var x = b.Input("x", DataType.Float, ["N", .. dims]);
        b.Node("Identity", [x]);
        b.Graph.Node[^1].Output[0] = "y";
        b.Output("y", DataType.Float, ["N", .. dims]);
        return b.Build();
    }

    /// <summary>Clip i is all i.</summary>
    private sealed class Clips(int count, params long[] shape) : IFeatureSet
    {
        public int Count => count;

        public IReadOnlyList<long> ItemShape => shape;

        public int LabelOf(int index) => 0;

        public void ReadFeatures(int index, Span<float> destination) => destination.Fill(index);

        public void Dispose()
        {
        }
    }
}
