using Compress.Diagnostics;
using Compress.Pruning;
using Compress.Pruning.Dependency;

namespace Compress.Core.Tests.Pruning;

public sealed class ChannelDependencyTests
{
    [Fact]
    public void Attention_PinsWhatItCannotFollow_WithCMP4006()
    {
        var (model, _) = Graph.SpeechModels.Get("self-attention");
        var graph = DependencyGraph.Build(model, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false));

        Assert.Contains(graph.Warnings, w => w.Code == TrainingMessages.ChannelsNotPrunableCode && w.Severity == DiagnosticSeverity.Warning);
        Assert.All(graph.Groups.Where(g => g.Producers.Contains("attn.q.weight")), g => Assert.True(g.Pinned));
    }

    [Fact]
    public void DsCnn_GroupsFollowDepthwiseBlocks()
    {
        var (model, _) = Graph.SpeechModels.Get("ds-cnn");
        // conv1 holds 30% of this small DS-CNN's weights, more than protect_first_last protects: excluded by hand.
        var graph = DependencyGraph.Build(model, new PruningOptions(PruningMethod.Channel, Exclude: ["conv1.weight"]));

        // conv1+dw0 (pinned: conv1 is excluded), pw0+dw1, pw1 (read by the Gemm), the Gemm's output (graph output).
        Assert.Equal(4, graph.Groups.Count);
        var pw0 = graph.Groups.Single(g => g.Producers.Contains("blocks.0.pw.weight"));
        Assert.False(pw0.Pinned);
        Assert.Contains("blocks.1.dw.weight", pw0.Producers);
        Assert.Contains(pw0.Slices, s => s.Tensor == "blocks.1.pw.weight" && s.Axis == 1 && !s.Masked);
        Assert.Contains(pw0.Slices, s => s.Tensor == "blocks.0.pw.bn.weight" && s.Masked);
        Assert.True(graph.Groups.Single(g => g.Producers.Contains("conv1.weight")).Pinned);
        Assert.True(graph.Groups.Single(g => g.Producers.Contains("fc.weight")).Pinned);
    }
}
