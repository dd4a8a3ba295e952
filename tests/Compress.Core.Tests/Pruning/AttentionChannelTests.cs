using Compress.Core.Tests.Onnx;
using Compress.Diagnostics;
using Compress.Export;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Dependency;
using Compress.Spec;
using Compress.Training;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// Channel pruning through self-attention as PyTorch exports it (<c>attention_kws_*_op17</c>: single head, q/k/v
/// <c>nn.Linear</c>, softmax(QKᵀ/√d)·V, output projection, residual + LayerNorm): the q/k inner dimension is one group,
/// the v/out inner dimension another, the residual stream is kept because LayerNorm normalizes over it.
/// </summary>
public sealed class AttentionChannelTests
{
    private static readonly PruningOptions Channel = new(PruningMethod.Channel, ProtectFirstAndLast: false);

    public static TheoryData<string> Fixtures => ["attention_kws_op17", "attention_kws_folded_op17"];

    private static ModelProto Load(string fixture) => PrunableWeights.Prepare(OnnxModelIO.Load(ExportedFixtures.Get(fixture).Path));

    /// <summary>The weight operand of the projection MatMul <paramref name="node"/> (an initializer once the model is prepared).</summary>
    private static string WeightOf(ModelProto model, string node) => model.Graph.Node.Single(n => n.Name == node).Input[1];

    private static long[] Dims(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();

    private static long Parameters(ModelProto model) => model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Attention_JoinsQueryAndKeyChannels_AndValueWithOutputColumns_AndKeepsTheResidualStream(string fixture)
    {
        var model = Load(fixture);
        var (q, k, v, o, embed) = (WeightOf(model, "/q/MatMul"), WeightOf(model, "/k/MatMul"), WeightOf(model, "/v/MatMul"), WeightOf(model, "/out/MatMul"), WeightOf(model, "/embed/MatMul"));
        var graph = DependencyGraph.Build(model, Channel);

        var qk = Assert.Single(graph.Prunable, g => g.Producers.Contains(q));
        Assert.Equal(new[] { q, k }.Order(StringComparer.Ordinal), qk.Producers.Order(StringComparer.Ordinal));
        Assert.Equal(32, qk.Size);
        Assert.Contains(qk.Slices, s => s.Tensor == q && s.Axis == 1 && s.Masked);
        Assert.Contains(qk.Slices, s => s.Tensor == k && s.Axis == 1 && s.Masked);
        Assert.Contains(qk.Slices, s => s.Tensor == "q.bias" && s.Masked);
        Assert.Contains(qk.Slices, s => s.Tensor == "k.bias" && s.Masked);

        var vo = Assert.Single(graph.Prunable, g => g.Producers.Contains(v));
        Assert.NotSame(qk, vo);
        Assert.Equal([v], vo.Producers);
        Assert.Contains(vo.Slices, s => s.Tensor == "v.bias" && s.Masked);
        Assert.Contains(vo.Slices, s => s.Tensor == o && s.Axis == 0 && !s.Masked);

        // embed and out both write the residual stream, which LayerNorm normalizes: kept, and the warning names the node.
        var residual = Assert.Single(graph.Groups, g => g.Producers.Contains(embed));
        Assert.Contains(o, residual.Producers);
        Assert.True(residual.Pinned);
        Assert.Contains("/norm/LayerNormalization", residual.PinReason, StringComparison.Ordinal);
        var warning = Assert.Single(graph.Warnings, w => w.Node == "/norm/LayerNormalization");
        Assert.Equal(TrainingMessages.ChannelsNotPrunableCode, warning.Code);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("channels through LayerNormalization are kept: it normalizes over the channel axis, so removing channels would change the mean and variance of the kept ones", warning.Message);
        Assert.Equal(2, graph.Prunable.Count());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Attention_HalfTheInnerChannels_ShrinksQkvOut_AndMatchesTheMaskedModelInOnnxRuntime(string fixture)
    {
        var model = Load(fixture);
        var (q, k, v, o) = (WeightOf(model, "/q/MatMul"), WeightOf(model, "/k/MatMul"), WeightOf(model, "/v/MatMul"), WeightOf(model, "/out/MatMul"));
        var input = ExportedFixtures.Get(fixture).RecordedInputs().Single();

        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, input, Channel, 0.5);

        Assert.Equal([32, 16], Dims(shrunk, q));
        Assert.Equal([32, 16], Dims(shrunk, k));
        Assert.Equal([16], Dims(shrunk, "q.bias"));
        Assert.Equal([16], Dims(shrunk, "k.bias"));
        Assert.Equal([32, 16], Dims(shrunk, v));
        Assert.Equal([16], Dims(shrunk, "v.bias"));
        Assert.Equal([16, 32], Dims(shrunk, o));
        Assert.Equal([32], Dims(shrunk, "out.bias")); // the residual stream keeps its 32 channels
        Assert.Equal([32], Dims(shrunk, "norm.weight"));
        Assert.Equal(Parameters(model) - (4 * 16 * 32) - (3 * 16), Parameters(shrunk));
    }

    [Fact]
    public void PreNormAttention_WithoutBiases_ShrinksAtParity()
    {
        // LayerNorm first, so the projections' input rank comes from the normalization, not from value_info.
        var (model, input) = Graph.SpeechModels.Get("self-attention");
        var shrunk = ChannelPruningTests.PruneAndCheckParity(model, input, Channel, 0.25);

        Assert.Equal([32, 24], Dims(shrunk, "attn.q.weight"));
        Assert.Equal([32, 24], Dims(shrunk, "attn.k.weight"));
        Assert.Equal([32, 24], Dims(shrunk, "attn.v.weight"));
        Assert.Equal([24, 32], Dims(shrunk, "attn.out.weight"));
    }

    [Fact]
    public void Engine_FineTunesTheFoldedAttentionExport_AtHalfItsInnerChannels_AndTheExportPassesTheParityGate()
    {
        var fixture = ExportedFixtures.Get("attention_kws_folded_op17");
        var model = Load(fixture.Name);
        var random = new Random(5);
        ArrayTrainingData Data(int count) => new(
            [.. Enumerable.Range(0, count * 49 * 40).Select(_ => (float)((random.NextDouble() * 4) - 2))], [49, 40], [.. Enumerable.Range(0, count).Select(i => i % fixture.Classes)]);

        var result = new CompressionEngine().Run(model, Data(24), Data(8), new PruningOptions(PruningMethod.Channel, 0.5), new FineTuneOptions(Epochs: 1, BatchSize: 8));

        Assert.Equal([32, 16], Dims(result.Model, WeightOf(model, "/q/MatMul")));
        Assert.Equal([16, 32], Dims(result.Model, WeightOf(model, "/out/MatMul")));
        var input = fixture.RecordedInputs().Single();
        Assert.Empty(ExportVerifier.Verify(result.Model, OnnxModelIO.Save(result.Model), (float[])input.Data, input.Shape, fixture.Path));
    }

    /// <summary>x [N, 5, 8] → Q = MatMul(x, Wq) → MatMul(Q, Transpose(x)) → Softmax → MatMul(·, x) → MatMul(Wo) → y.</summary>
    private static ModelProto QueryAgainstInput()
    {
        var random = new Random(31);
        float[] Weights(int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 5L, 8L);
        var query = b.Node("MatMul", [x, b.Initializer("wq", Weights(64), 8, 8)]);
        var scores = b.Node("MatMul", [query, b.Node("Transpose", [x], ("perm", new long[] { 0, 2, 1 }))]);
        var context = b.Node("MatMul", [b.Node("Softmax", [scores], ("axis", -1L)), x]);
        b.Output(b.Node("MatMul", [context, b.Initializer("wo", Weights(24), 8, 3)]));
        return b.Build();
    }

    [Fact]
    public void MatMulOfActivations_ContractingAPrunableProducerWithTheInput_KeepsItsChannels_WithCMP4006()
    {
        var model = QueryAgainstInput();
        var graph = DependencyGraph.Build(model, Channel);

        var query = Assert.Single(graph.Groups, g => g.Producers.Contains("wq"));
        Assert.True(query.Pinned);
        var warning = Assert.Single(graph.Warnings);
        Assert.Equal(TrainingMessages.ChannelsNotPrunableCode, warning.Code);
        Assert.Equal("MatMul_2", warning.Node); // MatMul(Q, Transpose(x))
        Assert.Contains("contracts tracked channels with an operand whose matching axis is not tracked", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(graph.Prunable, g => g.Producers.Contains("wq"));
    }

    /// <summary>x [N, 5, 8] → q/k/v MatMul → Reshape to [N, 5, 2 heads, 4] → Transpose → softmax(QKᵀ)V per head → Transpose → Reshape to [N, 5, 8] → MatMul(Wo).</summary>
    private static ModelProto TwoHeads()
    {
        var random = new Random(32);
        float[] Weights(int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 5L, 8L);
        var heads = b.Initializer("heads", new long[] { 0, 0, 2, 4 }, 4);
        string Head(string weight, long[] perm) => b.Node("Transpose", [b.Node("Reshape", [b.Node("MatMul", [x, b.Initializer(weight, Weights(64), 8, 8)]), heads])], ("perm", perm));
        var (q, k, v) = (Head("wq", [0, 2, 1, 3]), Head("wk", [0, 2, 3, 1]), Head("wv", [0, 2, 1, 3]));
        var context = b.Node("MatMul", [b.Node("Softmax", [b.Node("MatMul", [q, k])], ("axis", -1L)), v]);
        var merged = b.Node("Reshape", [b.Node("Transpose", [context], ("perm", new long[] { 0, 2, 1, 3 })), b.Initializer("merged", new long[] { 0, 0, 8 }, 3)]);
        b.Output(b.Node("MatMul", [merged, b.Initializer("wo", Weights(24), 8, 3)]));
        return b.Build();
    }

    [Fact]
    public void MultiHeadAttention_KeepsTheProjections_WithCMP4006NamingEachHeadReshape()
    {
        var model = TwoHeads();
        var graph = DependencyGraph.Build(model, Channel);

        Assert.Empty(graph.Prunable);
        var reshapes = model.Graph.Node.Where(n => n.OpType == "Reshape" && n.Input[1] == "heads").Select(n => n.Name).ToList();
        Assert.Equal(3, reshapes.Count);
        Assert.Equal(reshapes, graph.Warnings.Select(w => w.Node));
        Assert.All(graph.Warnings, w => Assert.Equal(TrainingMessages.ChannelsNotPrunableCode, w.Code));
    }

    [Fact]
    public void Attention_WithTheKeyProjectionExcluded_KeepsTheQueryChannelsToo()
    {
        var model = Load("attention_kws_folded_op17");
        var (q, k) = (WeightOf(model, "/q/MatMul"), WeightOf(model, "/k/MatMul"));
        var graph = DependencyGraph.Build(model, Channel with { Exclude = [k] });

        var qk = Assert.Single(graph.Groups, g => g.Producers.Contains(q));
        Assert.True(qk.Pinned);
        Assert.Contains(k, qk.PinReason, StringComparison.Ordinal);
    }

    [Fact]
    public void WakeWordHead_AllHiddenLayersFeedLayerNorm_IsCMP4002_SayingWhyAndWhatToUseInstead()
    {
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(ExportedFixtures.Get("wakeword_head_b1").Path));

        var error = Assert.Single(CompressionEngine.Validate(model, new PruningOptions(PruningMethod.Channel, 0.5)));
        Assert.Equal(TrainingMessages.NoPrunableWeightsCode, error.Code);
        Assert.Equal(
            "pruning method 'channel' has no channels to remove, because every channel group must keep all its channels: "
            + "ReduceMean node '/layers/layers.2/ReduceMean': it averages over the channel axis (as a LayerNorm does), so removing channels would change the mean of the kept ones; "
            + "ReduceMean node '/layers/layers.5/ReduceMean': it averages over the channel axis (as a LayerNorm does), so removing channels would change the mean of the kept ones; "
            + "Sigmoid node '/layers/layers.8/Sigmoid': the dependency analysis does not follow channels through this operator. "
            + "Use an unstructured method (magnitude, gradient, l1, l2 or n:m) for this model; it zeroes single weights and changes no shape.",
            error.Message);
    }

    [Fact]
    public void NoPrunableChannelsMessage_NamesEveryUnstructuredMethodAsTheSpecSpellsIt()
    {
        var unstructured = SpecNames.All<PruningMethod>().Except(["none", "channel"]).ToList();
        var spelled = string.Join(", ", unstructured.SkipLast(1)) + " or " + unstructured[^1];
        Assert.True(spelled == TrainingMessages.UnstructuredMethods, $"the message lists '{TrainingMessages.UnstructuredMethods}', the spec has '{spelled}'");
    }
}
