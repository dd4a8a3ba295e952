using Compress.Core.Tests.Onnx;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public sealed class OutputHeadTests
{
    [Fact]
    public void Detect_PyTorchSoftmaxOutput_TrainsOnTheGemmBeforeIt()
    {
        var head = Detect("softmax_out_op13");

        Assert.Equal(new OutputHead("probabilities", HeadKind.Softmax, "/fc/Gemm_output_0", "/Softmax", 12), head);
        Assert.Equal("cross_entropy", head.LossName);
    }

    [Fact]
    public void Detect_PyTorchLogSoftmaxOutput_TrainsOnTheGemmBeforeIt()
    {
        var head = Detect("logsoftmax_out_op15");

        Assert.Equal(new OutputHead("log_probabilities", HeadKind.LogSoftmax, "/fc/Gemm_output_0", "/LogSoftmax", 12), head);
    }

    [Fact]
    public void Detect_WakeWordHead_IsASingleSigmoidScore_WithTwoClasses()
    {
        var head = Detect("wakeword_head_b1");

        Assert.Equal(new OutputHead("score", HeadKind.Sigmoid, "/layers/layers.7/Gemm_output_0", "/layers/layers.8/Sigmoid", 1), head);
        Assert.Equal("binary_cross_entropy", head.LossName);
        Assert.Equal(["_negative_", "hey_computer"], head.ClassesFor(["hey_computer"]));
        Assert.Equal(["noise", "hey_computer"], head.ClassesFor(["noise", "hey_computer"]));
        Assert.Null(head.CheckLabels(["hey_computer"], null));
        Assert.Null(head.CheckLabels(["noise", "hey_computer"], null));
        Assert.Equal(
            "compress: error CMP1032: output 'score' is a single sigmoid score: use one label (the positive class; every other clip is labelled _negative_) or two (negative first, positive second); 'labels' lists 3",
            head.CheckLabels(["a", "b", "c"], null)!.ToString());
    }

    [Fact]
    public void Detect_LooksThroughReshapeAndIdentityAfterTheActivation()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var z = b.Node("Gemm", [x, b.Initializer("w", new float[4], 1, 4)], ("transB", 1L));
        var p = b.Node("Sigmoid", [z]);
        var flat = b.Node("Reshape", [p, b.Initializer("shape", [-1L], 1)]);
        b.Node("Identity", [flat]);
        b.Graph.Node[^1].Output[0] = "prob";
        b.Output("prob", DataType.Float, "N");

        var head = OutputHead.Detect(b.Build()).Value!;

        Assert.Equal((HeadKind.Sigmoid, z), (head.Kind, head.TrainingValue));
    }

    [Fact]
    public void Detect_SoftmaxOverTheBatchAxis_IsTrainedAsLogits_WithAWarning()
    {
        var model = Classifier("Softmax", opset: 13, ("axis", 0L));

        var result = OutputHead.Detect(model);

        Assert.Equal((HeadKind.Logits, "y"), (result.Value!.Kind, result.Value.TrainingValue));
        Assert.Equal("compress: warning CMP1033: [head] Softmax node 'head' is over axis 0, not the class axis (the last one); its output is trained as logits", Assert.Single(result.Diagnostics).ToString());
    }

    [Theory]
    [InlineData(11)] // before opset 13 the default axis is 1: [N, C] coerced to 2-D at 1 is the class axis
    [InlineData(13)] // from 13 the default is -1
    public void Detect_SoftmaxWithoutAxis_UsesTheOpsetDefault(int opset)
    {
        var head = OutputHead.Detect(Classifier("Softmax", opset)).Value!;

        Assert.Equal(HeadKind.Softmax, head.Kind);
    }

    [Fact]
    public void Detect_SigmoidOverSeveralScores_IsCmp1034()
    {
        var result = OutputHead.Detect(Classifier("Sigmoid", 17));

        Assert.True(result.Failed);
        Assert.Equal(HeadMessages.MultiLabelSigmoidCode, Assert.Single(result.Diagnostics).Code);
        Assert.Contains("output 'y' is a Sigmoid over 3 scores per clip", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_TwoScoreOutputsWithoutModelOutput_IsCmp1030ListingThem_AndModelOutputPicksOne()
    {
        var model = TwoOutputs();

        var ambiguous = OutputHead.Detect(model);
        var chosen = OutputHead.Detect(model, "prob").Value!;
        var missing = OutputHead.Detect(model, "nope");

        Assert.Equal("compress: error CMP1030: the model has several outputs (embedding [N,3], prob [N,1]); name the one that holds the class scores with 'model.output'", Assert.Single(ambiguous.Diagnostics).ToString());
        Assert.Equal(HeadKind.Sigmoid, chosen.Kind);
        Assert.Equal("compress: error CMP1031: 'model.output' is 'nope', but the model's outputs are: embedding [N,3], prob [N,1]", Assert.Single(missing.Diagnostics).ToString());
    }

    [Fact]
    public void Detect_OneScoreOutputBesideAFeatureMap_IsChosenWithoutModelOutput()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 1L, 4L, 4L);
        var flat = b.Node("Flatten", [x]);
        b.Output(b.Node("Identity", [x]), DataType.Float, "N", 1L, 4L, 4L);
        var y = b.Node("Gemm", [flat, b.Initializer("w", new float[32], 2, 16)], ("transB", 1L));
        b.Output(y, DataType.Float, "N", 2L);

        var head = OutputHead.Detect(b.Build()).Value!;

        Assert.Equal((y, HeadKind.Logits), (head.Output, head.Kind));
    }

    /// <summary>x [N, 4] → Gemm → y_pre [N, 3] → <paramref name="op"/> (node 'head') → y [N, 3].</summary>
    internal static ModelProto Classifier(string op, long opset, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var z = b.Node("Gemm", [x, b.Initializer("w", new float[12], 3, 4)], ("transB", 1L));
        b.Node(op, [z], attributes);
        b.Graph.Node[^1].Output[0] = "y";
        b.Graph.Node[^1].Name = "head";
        b.Output("y", DataType.Float, "N", 3L);
        return b.Build();
    }

    /// <summary>x [N, 4] → Gemm → Relu → 'embedding' [N, 3] and → Gemm → Sigmoid → 'prob' [N, 1].</summary>
    internal static ModelProto TwoOutputs()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        b.Node("Relu", [b.Node("Gemm", [x, b.Initializer("w1", [.. Enumerable.Range(0, 12).Select(i => (i % 5) - 2f)], 3, 4)], ("transB", 1L))]);
        b.Graph.Node[^1].Output[0] = "embedding";
        b.Output("embedding", DataType.Float, "N", 3L);
        b.Node("Sigmoid", [b.Node("Gemm", ["embedding", b.Initializer("w2", [0.5f, -0.5f, 0.25f], 1, 3)], ("transB", 1L))]);
        b.Graph.Node[^1].Output[0] = "prob";
        b.Output("prob", DataType.Float, "N", 1L);
        return b.Build();
    }

    private static OutputHead Detect(string fixture)
    {
        var model = OnnxModelIO.Load(Path.Combine(ExportedFixtures.Folder, fixture + ".onnx"));
        var result = OutputHead.Detect(model);
        Assert.Empty(result.Diagnostics);
        return result.Value!;
    }
}
