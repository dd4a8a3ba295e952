using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>What the executor promises beyond per-operator parity: names, modes, folding, dynamic batch, diagnostics.</summary>
public sealed class ExecutorBehaviourTests
{
    [Fact]
    public void FloatInitializers_AreParametersUnderTheirOnnxNames_RunningStatisticsAreBuffers()
    {
        var model = new DsCnn(Classes: 4, Channels: 8, Blocks: 1).Build();
        using var module = OnnxGraphModule.Create(model);
        var bn = model.Graph.Node.First(n => n.OpType == "BatchNormalization");

        Assert.Contains("conv1.weight", module.OnnxParameters.Keys);
        Assert.Contains(bn.Input[1], module.OnnxParameters.Keys);
        Assert.Contains(bn.Input[3], module.OnnxBuffers.Keys);
        Assert.Contains(bn.Input[4], module.OnnxBuffers.Keys);
        Assert.DoesNotContain(bn.Input[3], module.OnnxParameters.Keys);
        Assert.Equal(module.OnnxParameters.Keys.Order(StringComparer.Ordinal), module.named_parameters().Select(p => p.name).Order(StringComparer.Ordinal));
        Assert.All(module.OnnxParameters.Values, p => Assert.True(p.requires_grad));
        var floatInitializers = model.Graph.Initializer.Where(t => t.DataType == (int)DataType.Float).Select(t => t.Name);
        Assert.Equal(floatInitializers.Order(StringComparer.Ordinal), module.OnnxParameters.Keys.Concat(module.OnnxBuffers.Keys).Order(StringComparer.Ordinal));
    }

    private static ModelProto BatchNormModel()
    {
        var b = new ModelBuilder(15);
        var x = b.Input("x", DataType.Float, "N", 2L, 3L);
        b.Output(b.Node("BatchNormalization", [x, b.Initializer("scale", [2f, 0.5f], 2), b.Initializer("bias", [1f, -1f], 2), b.Initializer("mean", [0f, 0f], 2), b.Initializer("var", [1f, 1f], 2)], ("momentum", 0.8f)));
        return b.Build();
    }

    [Fact]
    public void BatchNormalization_InTraining_UsesBatchStatistics_AndUpdatesRunningStatistics()
    {
        using var module = OnnxGraphModule.Create(BatchNormModel());
        module.train();
        var input = CaseTensor.Random("x", 5, 1, 5, 4, 2, 3);
        var y = (float[])ExecutorRunner.Run(module, [input]).Values.Single().Data;

        var x = (float[])input.Data;
        for (var c = 0; c < 2; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 3).Select(s => (n * 6) + (c * 3) + s)).ToList();
            var mean = values.Average(i => (double)x[i]);
            var biased = values.Average(i => Math.Pow(x[i] - mean, 2));
            var unbiased = biased * values.Count / (values.Count - 1);
            var normalisedMean = values.Average(i => (double)y[i]);
            Assert.Equal(c == 0 ? 1 : -1, normalisedMean, 4);
            Assert.True(Math.Abs((0.2 * mean) - module.OnnxBuffers["mean"].data<float>()[c]) < 1e-5, "running mean");
            Assert.True(Math.Abs((0.8 * 1) + (0.2 * unbiased) - module.OnnxBuffers["var"].data<float>()[c]) < 1e-5, "running variance (unbiased batch variance)");
        }

        module.eval();
        var evaluation = CaseTensor.Random("x", 6, -1, 1, 3, 2, 3);
        ParityAssert.Equal(OrtRunner.Run(WithRunningStatistics(module), [evaluation]), ExecutorRunner.Run(module, [evaluation]), Tolerance.Parity);
    }

    /// <summary>The model with the module's current running statistics written back (what export does).</summary>
    private static ModelProto WithRunningStatistics(OnnxGraphModule module)
    {
        var model = module.Model.Clone();
        foreach (var name in new[] { "mean", "var" })
        {
            var index = model.Graph.Initializer.IndexOf(model.Graph.Initializer.Single(t => t.Name == name));
            model.Graph.Initializer[index] = OnnxTensors.FromTorch(module.OnnxBuffers[name], name);
        }

        return model;
    }

    [Fact]
    public void Dropout_IsActiveOnlyInTraining()
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 40, 50);
        b.Output(b.Node("Dropout", [x, b.Initializer("ratio", [0.25f])]));
        using var module = OnnxGraphModule.Create(b.Build());
        var input = CaseTensor.Random("x", 7, 1, 2, 40, 50);

        module.eval();
        Assert.Equal((float[])input.Data, (float[])ExecutorRunner.Run(module, [input]).Values.Single().Data);

        module.train();
        var y = (float[])ExecutorRunner.Run(module, [input]).Values.Single().Data;
        var x0 = (float[])input.Data;
        var dropped = y.Count(v => v == 0);
        Assert.InRange(dropped / (double)y.Length, 0.2, 0.3);
        Assert.All(Enumerable.Range(0, y.Length).Where(i => y[i] != 0), i => Assert.Equal(x0[i] / 0.75f, y[i], 5));
    }

    [Fact]
    public void ConstantShapeChains_AreFoldedOnce_AndTheBatchDimensionStaysDynamic()
    {
        // The chains PyTorch emits for x.view(x.size(0), k): Shape -> Gather -> Unsqueeze -> Concat -> Reshape. The
        // branch from a Constant is static and folded; the branch from x keeps the batch dimension dynamic.
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, "N", 3L, 4L);
        var constant = b.Node("Constant", [], ("value", ModelBuilder.Tensor("", new float[12], 12, 1)));
        var columns = b.Node("Unsqueeze", [b.Node("Gather", [b.Node("Shape", [constant]), b.Initializer("zero", new long[] { 0 }, [])]), b.Initializer("axes", new long[] { 0 }, 1)]);
        var batch = b.Node("Unsqueeze", [b.Node("Gather", [b.Node("Shape", [x]), "zero"]), "axes"]);
        var target = b.Node("Concat", [batch, columns], ("axis", 0L));
        b.Output(b.Node("Reshape", [x, target]));
        var model = b.Build();
        using var module = OnnxGraphModule.Create(model);
        module.eval();

        Assert.Equal(4, module.Graph.FoldedNodeCount);
        Assert.DoesNotContain(module.Graph.Steps, s => s.Outputs.Contains(columns));
        foreach (var n in new long[] { 1, 5 })
        {
            var input = CaseTensor.Random("x", (int)n, -1, 1, n, 3, 4);
            var actual = ExecutorRunner.Run(module, [input]);
            Assert.Equal([n, 12], actual.Values.Single().Shape);
            ParityAssert.Equal(OrtRunner.Run(model, [input]), actual, Tolerance.Parity);
        }
    }

    [Fact]
    public void UnsupportedOperators_AreAllReportedAtOnce_BeforeAnyWork()
    {
        var b = new ModelBuilder(17).Opset("com.example", 2);
        var x = b.Input("x", DataType.Float, 2);
        var y = b.Node("Resize", [b.Node("Relu", [x])]);
        b.Output(b.Node("Fancy", [y], 1, "com.example")[0]);
        var e = Assert.Throws<CompressException>(() => OnnxGraphModule.Create(b.Build(), file: "m.onnx"));
        Assert.Equal(["Resize_1", "Fancy_2"], e.Diagnostics.Select(d => d.Node));
        Assert.All(e.Diagnostics, d => Assert.Equal(ModelMessages.UnsupportedOperatorCode, d.Code));
        Assert.Contains("operator com.example.Fancy (opset 2) is not supported. Supported: Abs Add", e.Diagnostics[1].Message, StringComparison.Ordinal);
        Assert.EndsWith(ModelMessages.HowToAddOperator, e.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("m.onnx: error CMP2101: [Resize_1] operator ai.onnx.Resize (opset 17)", e.Diagnostics[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AValueNothingProduces_IsCMP2103()
    {
        var b = new ModelBuilder(17);
        b.Input("x", DataType.Float, 2);
        b.Output(b.Node("Relu", ["nowhere"]));
        var e = Assert.Throws<CompressException>(() => OnnxGraphModule.Create(b.Build()));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(ModelMessages.BrokenGraphCode, d.Code);
        Assert.Equal("Relu_0", d.Node);
        Assert.Contains("'nowhere'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchNormalizationExportedInTrainingMode_IsCMP2120_NamingTheNodeAndTheReExport_EvenWithoutTheStatisticsOutputs()
    {
        // training_mode=1 alone (Y only): ONNX Runtime would normalise with batch statistics, the executor with running ones.
        var b = new ModelBuilder(15);
        var x = b.Input("x", DataType.Float, "N", 2L, 3L);
        var parameters = new[] { "scale", "bias", "mean", "var" }.Select(n => b.Initializer(n, new[] { 1f, 1f }, 2)).ToList();
        b.Output(b.Node("BatchNormalization", [x, .. parameters], ("training_mode", 1L)));
        var e = Assert.Throws<CompressException>(() => OnnxGraphModule.Create(b.Build()));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(ModelMessages.TrainingModeBatchNormCode, d.Code);
        Assert.Equal("BatchNormalization_0", d.Node);
        Assert.StartsWith("BatchNormalization: the model was exported in training mode (training_mode=1), so this node normalises each batch", d.Message, StringComparison.Ordinal);
        Assert.EndsWith("call model.eval() before torch.onnx.export and pass training=torch.onnx.TrainingMode.EVAL (or PRESERVE after model.eval())", d.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Shape mismatches in matrix products are reported, not fatal: TorchSharp's native matmul does not catch libtorch
    /// errors, so without the executor's own checks these cases would end the test process.
    /// </summary>
    [Theory]
    [InlineData("MatMul")]
    [InlineData("MatMul_Batch")]
    [InlineData("Gemm")]
    [InlineData("LSTM")]
    [InlineData("GRU_InitialState")]
    public void AMatrixProductWithShapesThatDoNotFit_IsCMP2106_NamingTheNode(string kind)
    {
        var b = new ModelBuilder(17);
        var a = b.Input("a", DataType.Float);
        var feeds = new Dictionary<string, long[]> { ["a"] = kind switch { "MatMul_Batch" => [3, 2, 4], "LSTM" or "GRU_InitialState" => [5, 2, 3], _ => [2, 3] } };
        var op = kind.Split('_')[0];
        switch (kind)
        {
            case "MatMul":
                b.Output(b.Node("MatMul", [a, b.Initializer("w", new float[20], 4, 5)]));
                break;
            case "MatMul_Batch":
                b.Output(b.Node("MatMul", [a, b.Initializer("w", new float[80], 4, 4, 5)]));
                break;
            case "Gemm":
                b.Output(b.Node("Gemm", [a, b.Initializer("w", new float[20], 5, 4)], ("transB", 1L)));
                break;
            case "LSTM":
                b.Output(b.Node("LSTM", [a, b.Initializer("W", new float[16 * 4], 1, 16, 4), b.Initializer("R", new float[16 * 4], 1, 16, 4)], 3, "", ("hidden_size", 4L))[0]);
                break;
            default:
                b.Input("h0", DataType.Float);
                feeds["h0"] = [1, 3, 4];
                b.Output(b.Node("GRU", [a, b.Initializer("W", new float[12 * 3], 1, 12, 3), b.Initializer("R", new float[12 * 4], 1, 12, 4), "", "", "h0"], 2, "", ("hidden_size", 4L))[0]);
                break;
        }

        using var module = OnnxGraphModule.Create(b.Build());
        using var scope = NewDisposeScope();
        var e = Assert.Throws<CompressException>(() => module.Forward(feeds.ToDictionary(f => f.Key, f => zeros(f.Value))));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(ModelMessages.NodeFailedCode, d.Code);
        Assert.Equal($"{op}_0", d.Node);
        Assert.StartsWith($"{op} failed: ", d.Message, StringComparison.Ordinal);
    }
}
