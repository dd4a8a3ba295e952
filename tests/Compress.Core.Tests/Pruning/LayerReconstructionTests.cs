using Compress.Core.Tests.Onnx;
using Compress.Core.Tests.Training;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Pruning.Pruners;
using Compress.Training;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// Layer-wise reconstruction (<c>pruning.reconstruct</c>): the input columns a layer multiplies reproduce its output for
/// every supported operator and attribute, the reconstruction is the least-squares optimum over the kept weights, and
/// with it a method prunes the same weights and changes the model's outputs less.
/// </summary>
public sealed class LayerReconstructionTests
{
    /// <summary>A model x → op(x, W) → y with one weight "w", run by the executor; the columns times W's rows must equal y.</summary>
    private static void AssertColumnsReproduceTheOutput(ModelProto model, long[] inputShape, int groups, int seed = 1)
    {
        using var module = OnnxGraphModule.Create(model);
        var layer = Assert.Single(LayerReconstruction.Find(module, ["w"])).Value;
        Assert.Equal(groups, layer.Groups);
        random.manual_seed(seed);
        using var scope = NewDisposeScope();
        var x = randn(inputShape);
        var step = layer.Step;
        var values = module.Graph.Run(Compress.Graph.ExecutionContext.Eval, new Dictionary<string, Tensor> { ["x"] = x }, fetch: [step.Inputs[0], step.Outputs[0]]);
        var columns = LayerReconstruction.Columns(layer, values[step.Inputs[0]], module.OnnxParameters["w"]); // [g, samples, cols]
        var rows = layer.Rows(module.OnnxParameters["w"].detach());                                             // [g, rows, cols]
        var product = columns.bmm(rows.transpose(1, 2));                                                         // [g, samples, rows]
        var y = values[step.Outputs[0]].to_type(ScalarType.Float64);
        Tensor expected;
        if (step.Operator.Node.OpType == "Conv")
        {
            var n = y.shape[0];
            var outputs = y.shape[1];
            expected = y.reshape(n, groups, outputs / groups, -1).permute(1, 0, 3, 2).reshape(groups, -1, outputs / groups);
        }
        else
        {
            expected = y.reshape(1, -1, y.shape[^1]);
        }

        Assert.Equal(expected.shape, product.shape);
        var error = (product - expected).abs().max().item<double>();
        Assert.True(error < 1e-4, $"max error {error}");
    }

    private static ModelProto Conv(long[] weightShape, long[] inputShape, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, inputShape.Select(d => (object)d).ToArray());
        var count = (int)weightShape.Aggregate(1L, (a, d) => a * d);
        var w = b.Initializer("w", TinyModels.Uniform(new Random(2), count, 0.5), weightShape);
        var y = b.Node("Conv", [x, w], attributes);
        b.Output(y);
        return b.Build();
    }

    [Fact]
    public void Columns_OfA2dConv_WithGroupsStridesDilationsAndAsymmetricPads_ReproduceItsOutput() =>
        AssertColumnsReproduceTheOutput(
            Conv([6, 2, 3, 2], [2, 4, 9, 8], ("group", 2L), ("strides", new long[] { 2, 1 }), ("dilations", new long[] { 2, 1 }), ("pads", new long[] { 1, 0, 2, 1 })),
            [2, 4, 9, 8],
            groups: 2);

    [Fact]
    public void Columns_OfADepthwiseConv_ReproduceItsOutput() =>
        AssertColumnsReproduceTheOutput(Conv([4, 1, 3, 3], [3, 4, 7, 6], ("group", 4L), ("pads", new long[] { 1, 1, 1, 1 })), [3, 4, 7, 6], groups: 4);

    [Fact]
    public void Columns_OfADilated1dConv_WithSameUpperPadding_ReproduceItsOutput() =>
        AssertColumnsReproduceTheOutput(Conv([5, 3, 3], [2, 3, 11], ("dilations", new long[] { 2 }), ("strides", new long[] { 2 }), ("auto_pad", "SAME_UPPER")), [2, 3, 11], groups: 1);

    [Fact]
    public void Columns_OfAPointwiseConv_ReproduceItsOutput() =>
        AssertColumnsReproduceTheOutput(Conv([8, 5, 1, 1], [2, 5, 4, 3]), [2, 5, 4, 3], groups: 1);

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]
    [InlineData(0L, 1L)]
    public void Columns_OfAGemm_ReproduceItsOutput(long transA, long transB)
    {
        var b = new ModelBuilder(17);
        long[] input = transA == 1 ? [7, 5] : [5, 7];
        var x = b.Input("x", DataType.Float, input.Select(d => (object)d).ToArray());
        long[] weight = transB == 1 ? [4, 7] : [7, 4];
        var w = b.Initializer("w", TinyModels.Uniform(new Random(3), 28, 0.5), weight);
        b.Output(b.Node("Gemm", [x, w], ("transA", transA), ("transB", transB)));
        AssertColumnsReproduceTheOutput(b.Build(), input, groups: 1);
    }

    [Fact]
    public void Columns_OfABatchedMatMul_ReproduceItsOutput()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2L, 3L, 6L);
        var w = b.Initializer("w", TinyModels.Uniform(new Random(4), 24, 0.5), 6, 4);
        b.Output(b.Node("MatMul", [x, w]));
        AssertColumnsReproduceTheOutput(b.Build(), [2, 3, 6], groups: 1);
    }

    [Fact]
    public void Find_TakesAGrusInputWeights_AndLeavesItsRecurrentWeightsAndSharedWeightsAsCut()
    {
        var fixture = ExportedFixtures.Get("gru_kws_op17");
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path));
        using var module = OnnxGraphModule.Create(model);
        var gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        var layers = LayerReconstruction.Find(module, [gru.Input[1], gru.Input[2]]);
        var layer = Assert.Single(layers).Value;
        Assert.Equal(gru.Input[1], layer.Weight);
        var w = module.OnnxParameters[gru.Input[1]];
        Assert.Equal(w.shape[2], layer.Columns);
        using var scope = NewDisposeScope();
        var rows = layer.Rows(w.detach());
        Assert.Equal(new long[] { 1, w.shape[0] * w.shape[1], w.shape[2] }, rows.shape);
        Assert.Equal(0, (layer.FromRows(rows, w) - w).abs().max().item<float>());

        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2L, 4L);
        var shared = b.Initializer("w", TinyModels.Uniform(new Random(5), 16, 0.5), 4, 4);
        b.Output(b.Node("MatMul", [b.Node("MatMul", [x, shared]), shared]));
        using var twice = OnnxGraphModule.Create(b.Build());
        Assert.Empty(LayerReconstruction.Find(twice, ["w"]));
    }

    [Fact]
    public void Reconstruct_IsTheLeastSquaresFitOfEachRowOnItsKeptWeights()
    {
        var b = new ModelBuilder(17);
        var input = b.Input("x", DataType.Float, 200L, 12L);
        var weight = b.Initializer("w", TinyModels.Uniform(new Random(6), 5 * 12, 0.5), 5, 12);
        b.Output(b.Node("Gemm", [input, weight], ("transB", 1L)));
        using var module = OnnxGraphModule.Create(b.Build());
        var layer = LayerReconstruction.Find(module, ["w"])["w"];
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var mix = randn(12, 12, dtype: ScalarType.Float64);
        var x = randn(200, 12, dtype: ScalarType.Float64).matmul(mix); // correlated inputs: re-solving matters
        var hessian = x.t().matmul(x).unsqueeze(0);
        var w = module.OnnxParameters["w"].detach().to_type(ScalarType.Float64);
        var mask = (rand(5, 12, dtype: ScalarType.Float64) > 0.6).to_type(ScalarType.Float64);
        mask[0].fill_(0); // a row with nothing kept
        mask[1].fill_(1); // a row with everything kept

        var rebuilt = LayerReconstruction.Reconstruct(layer, w, mask, hessian);

        Assert.Equal(0, (rebuilt * (1 - mask)).abs().max().item<double>()); // pruned weights exactly zero
        Assert.Equal(0, (rebuilt[1] - w[1]).abs().max().item<double>(), 10); // nothing pruned: unchanged
        for (var r = 2; r < 5; r++)
        {
            var kept = nonzero(mask[r]).squeeze(1);
            var fit = linalg.lstsq(x.index_select(1, kept), x.matmul(w[r]).unsqueeze(1)).Solution.squeeze(1);
            Assert.True((rebuilt[r].index_select(0, kept) - fit).abs().max().item<double>() < 1e-8, $"row {r}");
        }

        double Error(Tensor candidate) => (x.matmul(candidate.t()) - x.matmul(w.t())).square().sum().item<double>();
        Assert.True(Error(rebuilt) < 0.9 * Error(w * mask), $"{Error(rebuilt)} vs {Error(w * mask)}");
    }

    [Fact]
    public void Accumulate_UnfoldsAConvsItemsAFewAtATime_AndSumsTheSame()
    {
        var model = Conv([6, 2, 3, 3], [5, 4, 6, 5], ("group", 2L), ("pads", new long[] { 1, 1, 1, 1 }));
        using var module = OnnxGraphModule.Create(model);
        var layer = LayerReconstruction.Find(module, ["w"])["w"];
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var x = randn(5, 4, 6, 5);
        var w = module.OnnxParameters["w"];
        var whole = zeros(2, 18, 18, dtype: ScalarType.Float64);
        var chunked = zeros(2, 18, 18, dtype: ScalarType.Float64);
        LayerReconstruction.Accumulate(whole, layer, x, w);
        LayerReconstruction.Accumulate(chunked, layer, x, w, patchElements: 2 * 18 * 30 * 2); // two items at a time: 2, 2, 1
        var direct = LayerReconstruction.Columns(layer, x, w);
        Assert.True((whole - direct.transpose(1, 2).bmm(direct)).abs().max().item<double>() < 1e-9);
        Assert.True((chunked - whole).abs().max().item<double>() < 1e-9);
    }

    [Fact]
    public void Damp_AddsOnePercentOfTheMeanDiagonal_OrOneWhenTheInputIsDead()
    {
        using var scope = NewDisposeScope();
        var h = stack([diag(tensor(new double[] { 2, 4 })), zeros(2, 2, dtype: ScalarType.Float64)]);
        LayerReconstruction.Damp(h);
        Assert.Equal(2.03, h[0, 0, 0].item<double>(), 12);
        Assert.Equal(4.03, h[0, 1, 1].item<double>(), 12);
        Assert.Equal(0, h[0, 0, 1].item<double>());
        Assert.Equal(1, h[1, 0, 0].item<double>());
        Assert.Equal(1, h[1, 1, 1].item<double>());
    }

    [Theory]
    [InlineData(PruningMethod.Magnitude)]
    [InlineData(PruningMethod.Gradient)]
    public void Reconstruct_PrunesTheSameWeights_AndChangesTheOutputsLess_WithoutFineTuning(PruningMethod method)
    {
        var model = TinyModels.Mlp();
        var data = TinyModels.Clusters(256, 1);
        var fineTune = new FineTuneOptions(Epochs: 0, BatchSize: 64);
        CompressionResult Run(bool reconstruct) => new CompressionEngine().Run(
            model, data, data, new PruningOptions(method, 0.8, ProtectFirstAndLast: false, GradientBatches: 4, Schedule: new ScheduleOptions(ScheduleKind.OneShot), Reconstruct: reconstruct), fineTune);
        var rebuilt = Run(true);
        var cut = Run(false);

        Assert.Equal(cut.Layers, rebuilt.Layers); // the same exact counts per layer
        foreach (var layer in cut.Layers)
        {
            var (a, b) = (TinyModels.Values(cut.Model, layer.Name), TinyModels.Values(rebuilt.Model, layer.Name));
            Assert.Equal(a.Select(v => v == 0), b.Select(v => v == 0)); // the same weights pruned
            Assert.NotEqual(a, b);                                       // the kept ones re-solved
        }

        using var scope = NewDisposeScope();
        var x = tensor(Enumerable.Range(0, 256).SelectMany(i =>
        {
            var item = new float[TinyModels.Features];
            data.ReadFeatures(i, item);
            return item;
        }).ToArray(), [256, TinyModels.Features]);
        Tensor Logits(ModelProto m)
        {
            using var module = OnnxGraphModule.Create(m);
            module.eval();
            using var noGrad = no_grad();
            return module.Forward(x).detach().clone();
        }

        var dense = Logits(model);
        double Error(CompressionResult r) => (Logits(r.Model) - dense).square().mean().item<float>();
        Assert.True(Error(rebuilt) < 0.85 * Error(cut), $"reconstructed {Error(rebuilt)} vs cut {Error(cut)}");
    }
}
