using Compress.Architectures;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// Realistic small speech models, built the way PyTorch exports them, for whole-model parity tests: a DS-CNN
/// keyword spotter, a GRU keyword spotter, an LSTM keyword spotter, a 1-D temporal conv net with residual Adds,
/// and a small self-attention block.
/// </summary>
public static class SpeechModels
{
    public static TheoryData<string> Names => new() { "ds-cnn", "gru-kws", "lstm-kws", "tcn-residual", "self-attention" };

    public static (ModelProto Model, CaseTensor Input) Get(string name) => name switch
    {
        "ds-cnn" => (new DsCnn(Classes: 12, Channels: 32, Blocks: 2).Build(), CaseTensor.Random(DsCnn.InputName, 1, -3, 3, 3, 1, 49, 40)),
        "gru-kws" => Recurrent("GRU", gates: 3),
        "lstm-kws" => Recurrent("LSTM", gates: 4),
        "tcn-residual" => Tcn(),
        "self-attention" => SelfAttention(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static float[] Random(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    /// <summary>features [N, 49, 40] → Transpose to [49, N, 40] → GRU/LSTM(64) → last hidden state → Gemm → 12 logits.</summary>
    private static (ModelProto, CaseTensor) Recurrent(string op, int gates)
    {
        const int hidden = 64, features = 40, classes = 12;
        var random = new Random(7);
        var b = new ModelBuilder(14);
        var x = b.Input("features", DataType.Float, "N", 49L, (long)features);
        var seq = b.Node("Transpose", [x], ("perm", new long[] { 1, 0, 2 }));
        var w = b.Initializer("rnn.W", Random(random, gates * hidden * features, 0.15), 1, gates * hidden, features);
        var r = b.Initializer("rnn.R", Random(random, gates * hidden * hidden, 0.15), 1, gates * hidden, hidden);
        var bias = b.Initializer("rnn.B", Random(random, 2 * gates * hidden, 0.1), 1, 2 * gates * hidden);
        var outputs = b.Node(op, [seq, w, r, bias], op == "LSTM" ? 3 : 2, "", ("hidden_size", (long)hidden));
        var last = b.Node("Squeeze", [outputs[1], b.Initializer("axes0", new long[] { 0 }, 1)]);
        var logits = b.Node("Gemm", [last, b.Initializer("fc.weight", Random(random, classes * hidden, 0.2), classes, hidden), b.Initializer("fc.bias", Random(random, classes, 0.1), classes)], ("transB", 1L));
        b.Output(logits);
        return (b.Build(), CaseTensor.Random("features", 2, -2, 2, 3, 49, 40));
    }

    /// <summary>features [N, 40, 49] → Conv1d(64,k3) → BN → Relu → 2 residual blocks of dilated Conv1d → Add → GlobalAveragePool → Flatten → Gemm.</summary>
    private static (ModelProto, CaseTensor) Tcn()
    {
        const int channels = 48, classes = 12;
        var random = new Random(11);
        var b = new ModelBuilder(17);
        var x = b.Input("features", DataType.Float, "N", 40L, 49L);
        string Conv(string name, string input, int inCh, long dilation)
        {
            var w = b.Initializer($"{name}.weight", Random(random, channels * inCh * 3, Math.Sqrt(2.0 / (inCh * 3))), channels, inCh, 3);
            var bias = b.Initializer($"{name}.bias", Random(random, channels, 0.05), channels);
            var conv = b.Node("Conv", [input, w, bias], ("kernel_shape", new long[] { 3 }), ("dilations", new long[] { dilation }), ("pads", new long[] { dilation, dilation }));
            var bn = b.Node("BatchNormalization",
            [
                conv,
                b.Initializer($"{name}.bn.weight", Random(random, channels, 0.2).Select(v => v + 1).ToArray(), channels),
                b.Initializer($"{name}.bn.bias", Random(random, channels, 0.1), channels),
                b.Initializer($"{name}.bn.running_mean", Random(random, channels, 0.1), channels),
                b.Initializer($"{name}.bn.running_var", Random(random, channels, 0.2).Select(v => v + 1).ToArray(), channels),
            ]);
            return b.Node("Relu", [bn]);
        }

        var h = Conv("stem", x, 40, 1);
        for (var i = 0; i < 2; i++)
        {
            var inner = Conv($"block{i}.conv", h, channels, 1L << (i + 1));
            h = b.Node("Add", [h, inner]);
        }

        var pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [h])], ("axis", 1L));
        b.Output(b.Node("Gemm", [pooled, b.Initializer("fc.weight", Random(random, classes * channels, 0.2), classes, channels), b.Initializer("fc.bias", new float[classes], classes)], ("transB", 1L)));
        return (b.Build(), CaseTensor.Random("features", 3, -2, 2, 2, 40, 49));
    }

    /// <summary>x [N, T=25, D=32] → LayerNorm → Q,K,V MatMul → QKᵀ/√d → Softmax → ·V → output MatMul → residual Add → ReduceMean over T → Gemm.</summary>
    private static (ModelProto, CaseTensor) SelfAttention()
    {
        const int d = 32, classes = 10;
        var random = new Random(13);
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 25L, (long)d);
        var norm = b.Node("LayerNormalization", [x, b.Initializer("ln.weight", Random(random, d, 0.2).Select(v => v + 1).ToArray(), d), b.Initializer("ln.bias", Random(random, d, 0.1), d)], ("axis", -1L), ("epsilon", 1e-5f));
        string Project(string name, string input) => b.Node("MatMul", [input, b.Initializer(name, Random(random, d * d, Math.Sqrt(1.0 / d)), d, d)]);
        var q = Project("attn.q.weight", norm);
        var k = Project("attn.k.weight", norm);
        var v = Project("attn.v.weight", norm);
        var scores = b.Node("Div", [b.Node("MatMul", [q, b.Node("Transpose", [k], ("perm", new long[] { 0, 2, 1 }))]), b.Initializer("sqrt_d", [MathF.Sqrt(d)])]);
        var attention = b.Node("Softmax", [scores], ("axis", -1L));
        var context = Project("attn.out.weight", b.Node("MatMul", [attention, v]));
        var residual = b.Node("Add", [x, context]);
        var pooled = b.Node("ReduceMean", [residual], ("axes", new long[] { 1 }), ("keepdims", 0L));
        b.Output(b.Node("Gemm", [pooled, b.Initializer("fc.weight", Random(random, classes * d, 0.2), classes, d), b.Initializer("fc.bias", new float[classes], classes)], ("transB", 1L)));
        return (b.Build(), CaseTensor.Random("x", 4, -2, 2, 3, 25, d));
    }
}
