using Compress.Diagnostics;
using Compress.Pruning;
using Compress.Pruning.Dependency;

namespace Compress.Core.Tests.Pruning;

public sealed class ChannelDependencyTests
{
    [Fact]
    public void PreNormAttention_PrunesTheInnerDimensions_AndKeepsTheResidualFromTheInput_WithCMP4006()
    {
        var (model, _) = Graph.SpeechModels.Get("self-attention");
        var graph = DependencyGraph.Build(model, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false));

        Assert.Contains("attn.k.weight", Assert.Single(graph.Prunable, g => g.Producers.Contains("attn.q.weight")).Producers);
        Assert.Contains(Assert.Single(graph.Prunable, g => g.Producers.Contains("attn.v.weight")).Slices, s => s.Tensor == "attn.out.weight" && s.Axis == 0);
        // The output projection is added to the graph input x, whose channels no weight produces.
        Assert.True(Assert.Single(graph.Groups, g => g.Producers.Contains("attn.out.weight")).Pinned);
        var residual = model.Graph.Node.Single(n => n.OpType == "Add");
        var warning = Assert.Single(graph.Warnings);
        Assert.Equal((TrainingMessages.ChannelsNotPrunableCode, DiagnosticSeverity.Warning, residual.Name), (warning.Code, warning.Severity, warning.Node));
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
