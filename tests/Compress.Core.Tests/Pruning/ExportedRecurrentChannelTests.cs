using Compress.Core.Tests.Onnx;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Dependency;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// Channel pruning of GRU/LSTM hidden units on the PyTorch exports (tests/fixtures/exported): the dependency graph
/// finds one group per recurrent layer through the exporter's Squeeze/Transpose/Gather/Reshape and its constant-zero
/// initial states; pruning half the units, writing back and shrinking gives a smaller model that ONNX Runtime runs at
/// parity with the masked executor.
/// </summary>
public sealed class ExportedRecurrentChannelTests
{
    private static readonly PruningOptions HiddenUnits = new(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]);

    private static long[] Dims(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();

    private static long HiddenSize(NodeProto node) => node.Attribute.Single(a => a.Name == "hidden_size").I;

    private static long Elements(ModelProto model) => model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));

    [Theory]
    [InlineData("gru_kws_op17", "GRU", 3, 1, 64)]
    [InlineData("gru_kws_nofold_op17", "GRU", 3, 1, 64)]
    [InlineData("gru_kws_op13_fixed", "GRU", 3, 1, 64)]
    [InlineData("lstm_kws_op15", "LSTM", 4, 1, 48)]
    [InlineData("bilstm_kws_op13", "LSTM", 4, 2, 48)]
    public void HiddenUnits_HalvedInEveryRecurrentLayer_ShrinkTheExport_AndMatchTheMaskedExecutorInOnnxRuntime(string name, string opType, int gates, int directions, int hidden)
    {
        var fixture = ExportedFixtures.Get(name);
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path));
        var layers = model.Graph.Node.Where(n => n.OpType == opType).ToList();
        var features = fixture.Inputs[0].RecordedShape[^1];

        // One hidden-unit group per layer, sized by hidden_size, with the exporter's zero initial state(s) recognised.
        var graph = DependencyGraph.Build(model, HiddenUnits);
        Assert.Empty(graph.Warnings);
        foreach (var layer in layers)
        {
            var group = Assert.Single(graph.Prunable, g => g.Producers.Contains(layer.Input[1]));
            Assert.Equal(hidden, group.Size);
            Assert.Contains(layer.Input[2], group.Producers);
            Assert.Equal(opType == "LSTM" ? 2 : 1, group.ZeroStates.Count(z => z.Node == layer));
        }

        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, Assert.Single(fixture.RecordedInputs()), HiddenUnits, 0.5);

        var kept = hidden / 2;
        var shrunkLayers = shrunk.Graph.Node.Where(n => n.OpType == opType).ToList();
        Assert.Equal(layers.Count, shrunkLayers.Count);
        for (var i = 0; i < layers.Count; i++)
        {
            var inputs = i == 0 ? features : kept * directions;
            Assert.Equal([directions, gates * kept, inputs], Dims(shrunk, layers[i].Input[1]));
            Assert.Equal([directions, gates * kept, kept], Dims(shrunk, layers[i].Input[2]));
            Assert.Equal([directions, 2 * gates * kept], Dims(shrunk, layers[i].Input[3]));
            Assert.Equal(kept, HiddenSize(shrunkLayers[i]));

            // The zero initial states (their shapes name the old hidden size) are dropped: an absent state is zero.
            Assert.All(shrunkLayers[i].Input.Skip(5), state => Assert.Equal("", state));
        }

        var classifier = shrunk.Graph.Node.Single(n => n.OpType == "Gemm");
        Assert.Equal([12, kept * directions], Dims(shrunk, classifier.Input[1]));
        Assert.DoesNotContain(shrunk.Graph.Node, n => n.OpType is "ConstantOfShape" or "Expand");
        Assert.True(Elements(shrunk) < 0.6 * Elements(model), $"{Elements(shrunk)} of {Elements(model)} elements");

        // The exported file is a valid model as written: it round-trips through the loader, with every declared shape.
        var reloaded = OnnxModelIO.Load(OnnxModelIO.Save(shrunk));
        Assert.Equal(shrunk.Graph.Initializer.Select(t => t.Dims.ToArray()), reloaded.Graph.Initializer.Select(t => t.Dims.ToArray()));
    }
}
