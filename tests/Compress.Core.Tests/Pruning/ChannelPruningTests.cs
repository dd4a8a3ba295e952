using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Training;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Pruning;

public sealed class ChannelPruningTests
{
    private static readonly FineTuneOptions NoTraining = new(Epochs: 0, BatchSize: 4);

    /// <summary>Prunes with masks, then checks ONNX Runtime on the shrunk graph against the executor on the masked graph.</summary>
    internal static ModelProto PruneAndCheckParity(ModelProto model, CaseTensor input, PruningOptions options, double sparsity)
    {
        using var module = OnnxGraphModule.Create(model);
        var itemShape = input.Shape.Skip(1).ToArray();
        var data = new ArrayTrainingData((float[])input.Data, itemShape, new int[input.Shape[0]]);
        using var hook = new ChannelPruningHook(module, options with { TargetSparsity = sparsity }, NoTraining, data);
        Assert.NotEmpty(hook.Pruner.Groups);
        hook.PruneTo(sparsity);
        hook.Finish();
        module.eval();
        float[] expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            expected = module.Forward(tensor((float[])input.Data, input.Shape)).data<float>().ToArray();
        }

        var weights = module.OnnxParameters.ToDictionary(p => p.Key, p => (Tensor)p.Value);
        foreach (var (name, buffer) in module.OnnxBuffers)
        {
            weights[name] = buffer;
        }

        var (shrunk, layers) = hook.Shrink(model, weights);
        var actual = (float[])OrtRunner.Run(shrunk, [input]).Values.Single().Data;
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 1e-4, $"max abs error {worst}");
        Assert.Contains(layers, l => l.Zeros > 0);
        Assert.True(shrunk.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d)) < model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d)));
        return shrunk;
    }

    private static long[] Dims(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();

    [Fact]
    public void DsCnn_ShrinksDepthwiseBlocks_AndMatchesTheMaskedModelInOnnxRuntime()
    {
        var (model, input) = SpeechModels.Get("ds-cnn"); // 32 channels, 2 blocks
        // conv1 holds 30% of this small DS-CNN's weights, more than protect_first_last protects: excluded by hand.
        var shrunk = PruneAndCheckParity(model, input, new PruningOptions(PruningMethod.Channel, RoundTo: 4, Exclude: ["conv1.weight"]), 0.5);

        // conv1 is excluded, so its channels (and block 0's depthwise conv, which shares them) stay.
        Assert.Equal([32, 1, 10, 4], Dims(shrunk, "conv1.weight"));
        Assert.Equal([32, 1, 3, 3], Dims(shrunk, "blocks.0.dw.weight"));
        Assert.Equal([16, 32, 1, 1], Dims(shrunk, "blocks.0.pw.weight"));
        Assert.Equal([16], Dims(shrunk, "blocks.0.pw.bn.running_var"));
        Assert.Equal([16, 1, 3, 3], Dims(shrunk, "blocks.1.dw.weight"));
        var dw1 = shrunk.Graph.Node.Single(n => n.Input.Contains("blocks.1.dw.weight"));
        Assert.Equal(16, dw1.Attribute.Single(a => a.Name == "group").I);
        Assert.Equal([16, 16, 1, 1], Dims(shrunk, "blocks.1.pw.weight"));
        Assert.Equal([12, 16], Dims(shrunk, "fc.weight"));
    }

    [Fact]
    public void RoundTo_KeepsChannelCountsMultiples()
    {
        var (model, input) = SpeechModels.Get("ds-cnn");
        var shrunk = PruneAndCheckParity(model, input, new PruningOptions(PruningMethod.Channel, RoundTo: 8), 0.6);
        Assert.Equal(16, Dims(shrunk, "blocks.0.pw.weight")[0]); // 32 − round(0.6 × 32) = 13 → 16
    }

    [Theory]
    [InlineData("gru-kws", 3)]
    [InlineData("lstm-kws", 4)]
    public void Recurrent_ShrinksHiddenUnitsAcrossGates(string name, int gates)
    {
        var (model, input) = SpeechModels.Get(name);
        var shrunk = PruneAndCheckParity(model, input, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]), 0.5);

        Assert.Equal([1, gates * 32, 40], Dims(shrunk, "rnn.W"));
        Assert.Equal([1, gates * 32, 32], Dims(shrunk, "rnn.R"));
        Assert.Equal([1, 2 * gates * 32], Dims(shrunk, "rnn.B"));
        Assert.Equal(32, shrunk.Graph.Node.Single(n => n.OpType is "GRU" or "LSTM").Attribute.Single(a => a.Name == "hidden_size").I);
        Assert.Equal([12, 32], Dims(shrunk, "fc.weight"));
    }

    [Fact]
    public void ResidualAdd_PrunesBothBranchesTogether()
    {
        var (model, input) = SpeechModels.Get("tcn-residual");
        var shrunk = PruneAndCheckParity(model, input, new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]), 0.25);

        // stem, block0 and block1 outputs are added together: one group of 48 → 36 channels.
        Assert.Equal([36, 40, 3], Dims(shrunk, "stem.weight"));
        Assert.Equal([36, 36, 3], Dims(shrunk, "block0.conv.weight"));
        Assert.Equal([36, 36, 3], Dims(shrunk, "block1.conv.weight"));
        Assert.Equal([12, 36], Dims(shrunk, "fc.weight"));
    }

    [Fact]
    public void GemmChain_ShrinksHiddenLayers()
    {
        var shrunk = PruneAndCheckParity(TinyModels.Mlp(), CaseTensor.Random("x", 5, -2, 2, 6, TinyModels.Features), new PruningOptions(PruningMethod.Channel), 0.5);

        Assert.Equal([32, 16], Dims(shrunk, "fc0.weight"));
        Assert.Equal([16, 32], Dims(shrunk, "fc1.weight"));
        Assert.Equal([16], Dims(shrunk, "fc1.bias"));
        Assert.Equal([16, 16], Dims(shrunk, "fc2.weight"));
        Assert.Equal([4, 16], Dims(shrunk, "fc3.weight"));
    }

    [Fact]
    public void FlattenGemm_RemovesWholeFeatureBlocks()
    {
        var shrunk = PruneAndCheckParity(ChannelModels.FlattenGemm(), CaseTensor.Random("x", 6, -1, 1, 3, 2, 8, 8), new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc.weight"]), 0.5);

        Assert.Equal([4, 2, 3, 3], Dims(shrunk, "conv.weight"));
        Assert.Equal([5, 4 * 36], Dims(shrunk, "fc.weight"));
    }

    [Fact]
    public void Concat_PrunesEachBranchAndCutsTheConsumerSegments()
    {
        var shrunk = PruneAndCheckParity(ChannelModels.ConcatBranches(), CaseTensor.Random("x", 7, -1, 1, 3, 3, 10), new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["head.weight"]), 0.5);

        Assert.Equal([3, 3, 3], Dims(shrunk, "left.weight"));
        Assert.Equal([5, 3, 1], Dims(shrunk, "right.weight"));
        Assert.Equal([8], Dims(shrunk, "bn.weight"));
        Assert.Equal([3, 8, 1], Dims(shrunk, "mix.weight")); // 7 − round(3.5)
        Assert.Equal([3, 4], Dims(shrunk, "head.weight"));
    }

    [Fact]
    public void ExportedReshapeAndMatMulAdd_AreFollowed()
    {
        var shrunk = PruneAndCheckParity(ExportedPatterns.ReshapeMatMulAdd(), CaseTensor.Random("x", 8, -1, 1, 3, 2, 6, 6), new PruningOptions(PruningMethod.Channel, ProtectFirstAndLast: false, Exclude: ["fc2.weight"]), 0.5);

        Assert.Equal([4, 2, 3, 3], Dims(shrunk, "conv.weight"));
        Assert.Equal([4 * 36, 5], Dims(shrunk, "fc1.weight"));
        Assert.Equal([5], Dims(shrunk, "fc1.bias"));
        Assert.Equal([5, 3], Dims(shrunk, "fc2.weight"));
    }

    [Fact]
    public void Engine_ChannelPruning_FineTunesAndReturnsTheShrunkModel()
    {
        var model = new DsCnn(Classes: 4, Channels: 16, Blocks: 2).Build();
        var train = DsCnnTrainingTests.KeywordLike(64, 4, 1);
        var result = new CompressionEngine().Run(model, train, DsCnnTrainingTests.KeywordLike(16, 4, 2), new PruningOptions(PruningMethod.Channel, 0.5, ChannelCriterion: ChannelCriterion.Taylor, GradientBatches: 2, Exclude: ["conv1.weight"]), new FineTuneOptions(Epochs: 2, BatchSize: 16));

        Assert.Equal([8, 16, 1, 1], Dims(result.Model, "blocks.0.pw.weight"));
        var pw0 = result.Layers.Single(l => l.Name == "blocks.0.pw.weight");
        Assert.Equal(16 * 16, pw0.Elements);
        Assert.Equal((16 * 16) - (8 * 16), pw0.Zeros);
        var input = CaseTensor.Random(DsCnn.InputName, 3, -2, 2, 2, 1, 49, 40);
        Assert.All((float[])OrtRunner.Run(result.Model, [input])[DsCnn.OutputName].Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void NoPrunableChannels_IsCMP4002()
    {
        var (model, _) = SpeechModels.Get("gru-kws");
        var d = Assert.Single(CompressionEngine.Validate(model, new PruningOptions(PruningMethod.Channel, Exclude: ["rnn.*"])));
        Assert.Equal(TrainingMessages.NoPrunableWeightsCode, d.Code);
    }

    [Fact]
    public void Defaults_LeaveTheGruPrunable_OnlyTheSmallClassifierIsProtected()
    {
        // rnn.W holds 37% of the prunable weights: too much to protect; fc.weight (3.7%) is protected.
        var (model, _) = SpeechModels.Get("gru-kws");
        Assert.Empty(CompressionEngine.Validate(model, new PruningOptions(PruningMethod.Channel)));
        var found = PrunableWeights.Find(model, new PruningOptions(PruningMethod.Channel));
        Assert.Equal([PrunableStatus.Eligible, PrunableStatus.Eligible, PrunableStatus.Protected], found.Select(t => t.Status));
    }
}
