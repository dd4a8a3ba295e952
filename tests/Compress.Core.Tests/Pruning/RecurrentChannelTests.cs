using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Dependency;

namespace Compress.Core.Tests.Pruning;

/// <summary>Channel pruning of GRU hidden units in models as PyTorch exports them: folded gate weights, a zero initial state, both directions.</summary>
public sealed class RecurrentChannelTests
{
    private static long[] Dims(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();

    private static CaseTensor Input => CaseTensor.Random("input", 3, -2, 2, 4, 5, 6);

    [Fact]
    public void Gru_WithZeroInitialState_ShrinksHiddenUnits_AndMatchesInOnnxRuntime()
    {
        var model = PrunableWeights.Prepare(ConstantFoldingTests.GruAsExported(hidden: 8));
        var gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        var fc = model.Graph.Node.Single(n => n.OpType == "MatMul").Input[1];
        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, Input, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]), 0.5);

        Assert.Equal([1, 3 * 4, 6], Dims(shrunk, gru.Input[1]));
        Assert.Equal([1, 3 * 4, 4], Dims(shrunk, gru.Input[2]));
        Assert.Equal([1, 2 * 3 * 4], Dims(shrunk, gru.Input[3]));
        Assert.Equal([4, 3], Dims(shrunk, fc));
        Assert.Equal(4, shrunk.Graph.Node.Single(n => n.OpType == "GRU").Attribute.Single(a => a.Name == "hidden_size").I);
        // The zero initial state (its shape names 8 units) is dropped, as an absent state is zero, with what computed it.
        Assert.Equal("", shrunk.Graph.Node.Single(n => n.OpType == "GRU").Input[5]);
        Assert.DoesNotContain(shrunk.Graph.Node, n => n.OpType is "ConstantOfShape" or "Shape");
        Assert.DoesNotContain(shrunk.Graph.Initializer, t => t.Name == "hidden");
    }

    [Fact]
    public void BidirectionalGru_ShrinksBothDirections_AndTheConsumersBothHalves()
    {
        var model = PrunableWeights.Prepare(ConstantFoldingTests.GruAsExported(hidden: 8, bidirectional: true));
        var gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        var fc = model.Graph.Node.Single(n => n.OpType == "MatMul").Input[1];
        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, Input, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]), 0.5);

        Assert.Equal([2, 3 * 4, 6], Dims(shrunk, gru.Input[1]));
        Assert.Equal([2, 3 * 4, 4], Dims(shrunk, gru.Input[2]));
        Assert.Equal([2, 2 * 3 * 4], Dims(shrunk, gru.Input[3]));
        Assert.Equal([2 * 4, 3], Dims(shrunk, fc));
    }

    [Fact]
    public void Gru_WithNonZeroInitialState_KeepsItsUnits_WithCMP4010NamingTheNode()
    {
        var model = PrunableWeights.Prepare(ConstantFoldingTests.GruAsExported(zeroState: false));
        var graph = DependencyGraph.Build(model, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false));

        var warning = Assert.Single(graph.Warnings, w => w.Code == TrainingMessages.RecurrentStateNotZeroCode);
        var gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        Assert.Equal(gru.Name, warning.Node);
        Assert.Contains("initial_h is computed or fed at run time", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(graph.Prunable, g => g.Producers.Contains(gru.Input[1]));
    }
}
