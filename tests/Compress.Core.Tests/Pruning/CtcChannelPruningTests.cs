using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Core.Tests.Training;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Dependency;
using Xunit.Abstractions;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// Channel pruning of issue 20's CTC recognisers: the PyTorch exports (tests/fixtures/exported/ctc_*) and
/// <see cref="CrnnCtc"/>. Removing half the channels of every prunable group, writing back and shrinking gives a
/// smaller model whose per-frame output ONNX Runtime computes at parity with the masked executor.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class CtcChannelPruningTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => ["ctc_crnn_op17", "ctc_tcn_tbv_op13", "crnn-ctc", "crnn-ctc-bidirectional"];

    private static (ModelProto Model, CaseTensor Input) Get(string name) => name switch
    {
        "crnn-ctc" => (new CrnnCtc(Frames: 49, Channels: 32, Hidden: 32).Build(), CaseTensor.Random(CrnnCtc.InputName, 3, -2, 2, 2, 1, 49, 40)),
        "crnn-ctc-bidirectional" => (new CrnnCtc(Frames: 49, Channels: 32, Hidden: 32, Bidirectional: true).Build(), CaseTensor.Random(CrnnCtc.InputName, 3, -2, 2, 2, 1, 49, 40)),
        _ => (PrunableWeights.Prepare(OnnxModelIO.Load(ExportedFixtures.Get(name).Path)), Assert.Single(ExportedFixtures.Get(name).RecordedInputs())),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void HalfTheChannels_ShrinkTheModel_AndOnnxRuntimeMatchesTheMaskedExecutor(string name)
    {
        var (model, input) = Get(name);
        var options = new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false);
        var graph = DependencyGraph.Build(model, options);
        output.WriteLine($"groups: {string.Join("; ", graph.Prunable.Select(g => $"{string.Join(",", g.Producers)} ({g.Size})"))}; warnings: {string.Join("; ", graph.Warnings)}");

        // Every hidden layer is a group of its own: the CRNNs' first Conv (PyTorch's export reads its output's Shape
        // for the GRU's zero initial state: only the batch size, so the channels stay free) and GRU, the TCN's convs.
        var hidden = model.Graph.Node.Where(n => n.OpType is "Conv" or "GRU").Select(n => n.Input[1]).Where(w => !(name == "ctc_tcn_tbv_op13" && w == "out.weight")).ToList();
        Assert.All(hidden, w => Assert.Contains(graph.Prunable, g => g.Producers.Contains(w)));

        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, input, options, 0.5);

        output.WriteLine($"{Elements(model)} -> {Elements(shrunk)} elements");
        if (name.StartsWith("crnn-ctc", StringComparison.Ordinal))
        {
            // The built CRNN's GRU loses half its units (PyTorch's own output forms, Squeeze or Reshape [0, 0, -1]).
            Assert.Equal(16, shrunk.Graph.Node.Single(n => n.OpType == "GRU").Attribute.Single(a => a.Name == "hidden_size").I);
        }

        Assert.True(Elements(shrunk) < 0.8 * Elements(model), $"{Elements(shrunk)} of {Elements(model)} elements");
    }

    [Fact]
    public void BidirectionalOutput_ReshapedToAnExplicitWidth_KeepsItsUnits_AndStillShrinksToAValidModel()
    {
        // [T, N, 2, H] -> Reshape [0, 0, 2H]: the shrunk export would keep 2H in the shape (ONNX Runtime refused that
        // file), so the Reshape is not followed; PyTorch's [0, 0, -1] is (the theory above).
        var model = new CrnnCtc(Frames: 49, Channels: 32, Hidden: 32, Bidirectional: true).Build();
        var shape = model.Graph.Initializer.Single(t => t.Name == "gru_output_shape");
        model.Graph.Initializer[model.Graph.Initializer.IndexOf(shape)] = ModelBuilder.Tensor(shape.Name, [0L, 0, 64], 3);
        var options = new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false);

        var graph = DependencyGraph.Build(model, options);
        var reshape = model.Graph.Node.Single(n => n.OpType == "Reshape");
        Assert.Contains(graph.Warnings, w => w.Code == "CMP4006" && w.Node == reshape.Name);
        Assert.DoesNotContain(graph.Prunable, g => g.Producers.Contains("gru.W"));

        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, CaseTensor.Random(CrnnCtc.InputName, 3, -2, 2, 2, 1, 49, 40), options, 0.5);
        Assert.Equal(32, shrunk.Graph.Node.Single(n => n.OpType == "GRU").Attribute.Single(a => a.Name == "hidden_size").I);
    }

    [Theory]
    [InlineData(0L, true)]
    [InlineData(2L, true)]
    [InlineData(-3L, true)]
    [InlineData(1L, false)]
    [InlineData(-2L, false)]
    public void ShapeOfChannels_ReadOnlyOffTheChannelAxis_LeavesThemFree(long index, bool free)
    {
        // conv1 [N, 8, T] -> Relu -> conv2; Shape(Relu) -> Gather(index) is a second graph output.
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L, 10L);
        var relu = b.Node("Relu", [b.Node("Conv", [x, b.Initializer("conv1.weight", new float[8 * 4 * 3], 8, 4, 3)], ("kernel_shape", new long[] { 3 }))]);
        b.Node("Conv", [relu, b.Initializer("conv2.weight", new float[6 * 8 * 1], 6, 8, 1)], ("kernel_shape", new long[] { 1 }));
        b.Output(b.Graph.Node[^1].Output[0]);
        b.Node("Gather", [b.Node("Shape", [relu]), b.Initializer("index", [index])], ("axis", 0L));
        b.Output(b.Graph.Node[^1].Output[0], DataType.Int64);
        var model = b.Build();

        var graph = DependencyGraph.Build(model, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false));

        Assert.Equal(free, graph.Prunable.Any(g => g.Producers.Contains("conv1.weight")));
        Assert.Equal(!free, graph.Warnings.Any(w => w.Code == "CMP4006" && w.Node == model.Graph.Node.Single(n => n.OpType == "Shape").Name));
    }

    private static long Elements(ModelProto model) => model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
}
