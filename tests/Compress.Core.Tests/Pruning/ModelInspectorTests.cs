using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

public sealed class ModelInspectorTests
{
    private static float[] Floats(long count, int seed = 1) => (float[])CaseTensor.Random("w", seed, -1, 1, count).Data;

    /// <summary>A model (not meant to run) with one node of every kind the rule must accept or reject.</summary>
    private static ModelProto Zoo()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 2L, 8L);
        var conv = b.Node("Conv", [x, b.Initializer("conv.w", Floats(2 * 2 * 3), 2, 2, 3), b.Initializer("conv.b", Floats(2), 2)]);
        var deconv = b.Node("ConvTranspose", [conv, b.Initializer("deconv.w", Floats(2 * 2 * 2), 2, 2, 2)]);
        var flat = b.Node("Flatten", [deconv]);
        var gemm = b.Node("Gemm", [flat, b.Initializer("fc.w", Floats(4 * 18), 4, 18), b.Initializer("fc.b", Floats(4), 4)], ("transB", 1L));
        var matmul = b.Node("MatMul", [b.Initializer("left.w", Floats(4 * 4), 4, 4), gemm]);
        var product = b.Node("MatMul", [matmul, matmul]);
        var constant = b.Node("MatMul", [b.Initializer("const.a", Floats(4), 1, 4), b.Initializer("const.b", Floats(4), 4, 1)]);
        var added = b.Node("Add", [product, b.Initializer("add.c", Floats(4), 4)]);
        var seq = b.Node("Unsqueeze", [added, b.Initializer("axes", new long[] { 0 }, 1)]);
        var lstm = b.Node("LSTM", [seq, b.Initializer("lstm.W", Floats(16 * 4), 1, 16, 4), b.Initializer("lstm.R", Floats(16 * 4), 1, 16, 4), b.Initializer("lstm.B", Floats(32), 1, 32)], 3, "", ("hidden_size", 4L));
        var gru = b.Node("GRU", [lstm[0], b.Initializer("gru.W", Floats(12 * 4), 1, 12, 4), b.Initializer("gru.R", Floats(12 * 4), 1, 12, 4)], 2, "", ("hidden_size", 4L));
        var shared = b.Node("Gemm", [gru[1], b.Initializer("shared.w", Floats(16), 4, 4)]);
        var again = b.Node("Gemm", [shared, "shared.w"]);
        var custom = b.Node("Conv", [again, "conv.w"], 1, "com.example")[0];
        var then = new GraphProto { Name = "then" };
        then.Node.Add(new NodeProto { OpType = "MatMul", Name = "inner", Input = { "x", "branch.w" }, Output = { "t" } });
        then.Initializer.Add(ModelBuilder.Tensor("branch.w", Floats(64), 8, 8));
        then.Output.Add(new ValueInfoProto { Name = "t" });
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(new NodeProto { OpType = "MatMul", Name = "outer_use", Input = { "x", "left.w" }, Output = { "e" } });
        otherwise.Output.Add(new ValueInfoProto { Name = "e" });
        b.Output(b.Node("If", [b.Input("cond", DataType.Bool)], ("then_branch", then), ("else_branch", otherwise)));
        b.Output(custom);
        b.Output(constant);
        return b.Build();
    }

    [Fact]
    public void PrunableOperands_AreWeightsOfConvGemmMatMulAndRecurrent_NotBiasesActivationsOrSubgraphs()
    {
        var operands = PrunableWeights.Operands(Zoo());
        var summary = operands.Select(w => $"{w.Value}@{w.OpType}[{w.InputIndex}]:{w.Reason}").ToList();
        Assert.Equal(
        [
            "conv.w@Conv[1]:Prunable", "deconv.w@ConvTranspose[1]:Prunable", "fc.w@Gemm[1]:Prunable",
            "left.w@MatMul[0]:Prunable", $"{operands[4].Value}@MatMul[1]:Computed", $"{operands[5].Value}@MatMul[1]:Computed",
            "const.a@MatMul[0]:Prunable", "const.b@MatMul[1]:Prunable",
            "lstm.W@LSTM[1]:Prunable", "lstm.R@LSTM[2]:Prunable", "gru.W@GRU[1]:Prunable", "gru.R@GRU[2]:Prunable",
            "shared.w@Gemm[1]:Prunable", "shared.w@Gemm[1]:Prunable", "branch.w@MatMul[1]:InSubgraph", "left.w@MatMul[1]:InSubgraph",
        ], summary);
        var lstm = operands.Single(w => w.Value == "lstm.W");
        Assert.Equal([1L, 16, 4], lstm.Shape);
        Assert.Equal(64, lstm.Elements);
        Assert.Equal("LSTM_9", lstm.Node);
        Assert.Equal("inner", operands.Single(w => w.Value == "branch.w").Node);
        Assert.Equal(["conv.w", "deconv.w", "fc.w", "left.w", "const.a", "const.b", "lstm.W", "lstm.R", "gru.W", "gru.R", "shared.w"],
            PrunableWeights.Find(Zoo(), new PruningOptions()).Select(t => t.Name));
    }

    [Fact]
    public void PrunableOperands_NameUnnamedNodesByTypeAndIndex_AndSkipIntegerWeights()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 1, 4);
        b.Output(b.Node("MatMul", [x, b.Initializer("w", Floats(8), 4, 2)]));
        b.Output(b.Node("MatMul", [b.Node("Cast", [x], ("to", (long)DataType.Int64)), b.Initializer("iw", new long[] { 1, 2, 3, 4 }, 4, 1)]), DataType.Int64);
        var model = b.Build();
        model.Graph.Node[0].Name = "";
        var weight = Assert.Single(PrunableWeights.Find(model, new PruningOptions()));
        Assert.Equal("w MatMul#0 MatMul [4, 2]", $"{weight.Name} {weight.Node} {weight.OpType} [{string.Join(", ", weight.Shape)}]");
        var integer = Assert.Single(PrunableWeights.NotPrunable(model));
        Assert.Equal(("iw", PrunableReason.NotFloat), (integer.Value, integer.Reason));
    }

    [Fact]
    public void Describe_ReportsVersionsShapesOperatorsParametersAndSparsity()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "batch", 4L);
        var w = Floats(12);
        for (var i = 0; i < 6; i++)
        {
            w[i * 2] = 0;
        }

        var y = b.Node("Relu", [b.Node("Gemm", [x, b.Initializer("fc.w", w, 3, 4), b.Initializer("fc.b", Floats(3), 3)], ("transB", 1L))]);
        b.Output(y, DataType.Float, "batch", 3L);
        b.Initializer("unused.shape", new long[] { 1, 2 }, 2);
        var model = b.Build();
        model.ProducerVersion = "1.2";

        var text = ModelInspector.Describe(model, "models/kws.onnx");
        Assert.Contains("Model: models/kws.onnx\n", text, StringComparison.Ordinal);
        Assert.Contains("IR version: 8\n", text, StringComparison.Ordinal);
        Assert.Contains("Opsets: ai.onnx 17\n", text, StringComparison.Ordinal);
        Assert.Contains("Producer: Compress.ModelBuilder 1.2\n", text, StringComparison.Ordinal);
        Assert.Contains("Inputs:\n  x  float [batch, 4]\n", text, StringComparison.Ordinal);
        Assert.Contains("Outputs:\n  v1  float [batch, 3]\n", text, StringComparison.Ordinal);
        Assert.Contains($"Operators (2 nodes):\n  {"Gemm",-24} {1,6}\n  {"Relu",-24} {1,6}\n", text, StringComparison.Ordinal);
        Assert.Contains("Parameters: 15 in 2 float initializers (60 B)\n", text, StringComparison.Ordinal);
        Assert.Contains("Other initializers: 2 elements in 1 (16 B)\n", text, StringComparison.Ordinal);
        Assert.Contains("Prunable weights (1, 12 elements):\n  fc.w  Gemm Gemm_0  [3, 4]  12 elements  sparsity 0.500  (the first prunable tensor, but 100.0% of the prunable weights (over the 20% protect_first_last protects), so pruned)\n", text, StringComparison.Ordinal);
        Assert.Contains("Not prunable weight operands (0):\n  none\n", text, StringComparison.Ordinal);
        Assert.Contains("Unsupported operators: none\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ModelMessages.UnsupportedOperatorCode, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ListsUnsupportedOperators_WithCMP2101()
    {
        var b = new ModelBuilder(17).Opset("com.example", 1);
        var x = b.Input("x", DataType.Float, 2);
        b.Output(b.Node("FancyOp", [b.Node("Relu", [x])], 1, "com.example")[0]);
        b.Output(b.Node("Resize", [x]));
        var text = ModelInspector.Describe(b.Build(), null);
        Assert.Contains("Model: (in memory)\n", text, StringComparison.Ordinal);
        Assert.Contains("Unsupported operators (2):\n", text, StringComparison.Ordinal);
        Assert.Contains("  error CMP2101: [FancyOp_1] operator com.example.FancyOp (opset 1) is not supported\n", text, StringComparison.Ordinal);
        Assert.Contains("  error CMP2101: [Resize_2] operator ai.onnx.Resize (opset 17) is not supported\n", text, StringComparison.Ordinal);
        Assert.Contains("Supported: Abs ", text, StringComparison.Ordinal);
        Assert.Contains(ModelMessages.HowToAddOperator, text, StringComparison.Ordinal);
        Assert.Contains("Operators (3 nodes):", text, StringComparison.Ordinal);
        Assert.Contains("com.example.FancyOp", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ASpeechModel_ListsItsRecurrentAndClassifierWeights()
    {
        var (model, _) = SpeechModels.Get("lstm-kws");
        var text = ModelInspector.Describe(model, "lstm.onnx");
        Assert.Contains("Inputs:\n  features  float [N, 49, 40]\n", text, StringComparison.Ordinal);
        Assert.Contains("  rnn.W  LSTM LSTM_1  [1, 256, 40]  10,240 elements  sparsity 0.000  (the first prunable tensor, but 37.4% of the prunable weights (over the 20% protect_first_last protects), so pruned)\n", text, StringComparison.Ordinal);
        Assert.Contains("  rnn.R  LSTM LSTM_1  [1, 256, 64]  16,384 elements  sparsity 0.000\n", text, StringComparison.Ordinal);
        Assert.Contains("  fc.weight  Gemm Gemm_3  [12, 64]  768 elements  sparsity 0.000  protected: the last prunable tensor, 2.8% of the prunable weights (protect_first_last protects it at most 20%)\n", text, StringComparison.Ordinal);
        Assert.Contains("Prunable weights (3, 27,392 elements):", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FindUnsupportedOperators_ReturnsOneFullDiagnosticPerNode()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 2);
        b.Output(b.Node("Resize", [b.Node("Resize", [x])]));
        var problems = Compress.Graph.OnnxGraphModule.FindUnsupportedOperators(b.Build(), file: "m.onnx");
        Assert.Equal(["Resize_0", "Resize_1"], problems.Select(p => p.Node));
        Assert.All(problems, p => Assert.Equal("m.onnx", p.File));
        Assert.All(problems, p => Assert.Contains("Supported: Abs ", p.Message, StringComparison.Ordinal));
    }
}
