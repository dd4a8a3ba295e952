using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Architectures;

/// <summary>
/// A convolutional-recurrent CTC recogniser (issue 20), randomly initialised: features <c>[N, 1, T, bins]</c> (T
/// symbolic; <see cref="Frames"/> is the clip the model is made for and names it in the doc string)
/// → Conv over time (kernel 5 × bins, stride 2, so the bins are the convolution's input and one output column
/// remains) → BN → ReLU → Squeeze → <c>[N, channels, T']</c> → Transpose to <c>[T', N, channels]</c> → GRU
/// (<see cref="Hidden"/> units, optionally <see cref="Bidirectional"/>, PyTorch's <c>linear_before_reset=1</c>, layout
/// 0 as PyTorch exports it) → Squeeze (or Transpose + Reshape when bidirectional) and Transpose to
/// <c>[N, T', directions × hidden]</c> → MatMul + Add to
/// <see cref="Vocab"/> scores → LogSoftmax over the last axis → <c>log_probs [N, T', vocab]</c> with
/// T' = ceil(frames / 2): per-frame log-probabilities for CTC (blank first in the vocabulary).
/// Conv and classifier weights use He (Kaiming) normal initialisation, the GRU PyTorch's uniform ±1/sqrt(hidden),
/// all from <see cref="Seed"/>; BatchNorm starts at identity statistics.
/// </summary>
public sealed record CrnnCtc(int Vocab = 29, int Frames = 149, int Bins = 40, int Channels = 64, int Hidden = 96, bool Bidirectional = false, int Seed = 1, long Opset = 17)
{
    /// <summary>The graph input name.</summary>
    public const string InputName = "features";

    /// <summary>The graph output name.</summary>
    public const string OutputName = "log_probs";

    /// <summary>
    /// The input's symbolic frame axis (dim_param), as PyTorch's <c>dynamic_axes</c> writes it: no node depends on the
    /// frame count, so the model runs on clips of any length and a prepended front end takes PCM of any length.
    /// </summary>
    public const string TimeAxis = "T";

    /// <summary>The output's symbolic frame axis: ceil(T / 2).</summary>
    public const string OutputTimeAxis = "T_out";

    /// <summary>The convolution's kernel over time.</summary>
    public const int Kernel = 5;

    /// <summary>Output frames for <see cref="Frames"/> input frames: ceil(frames / 2) (kernel 5, stride 2, two frames of padding on each side).</summary>
    public int OutputFrames => (Frames + 1) / 2;

    /// <summary>Builds the model.</summary>
    public ModelProto Build()
    {
        var random = new Random(Seed);
        var b = new ModelBuilder(Opset);
        var directions = Bidirectional ? 2 : 1;
        var x = b.Input(InputName, DataType.Float, "N", 1L, TimeAxis, (long)Bins);

        // Conv over time: a 2-D kernel spanning every bin, so [N, 1, frames, bins] -> [N, channels, T', 1].
        var fanIn = Kernel * Bins;
        var convWeight = b.Initializer("conv1.weight", Initialisation.Normal(random, Channels * fanIn, Math.Sqrt(2.0 / fanIn)), Channels, 1, Kernel, Bins);
        var conv = b.Node("Conv", [x, convWeight], ("kernel_shape", new long[] { Kernel, Bins }), ("strides", new long[] { 2, 1 }), ("pads", new long[] { Kernel / 2, 0, Kernel / 2, 0 }));
        var bn = b.Node(
            "BatchNormalization",
            [conv,
             b.Initializer("conv1.bn.weight", Enumerable.Repeat(1f, Channels).ToArray(), Channels),
             b.Initializer("conv1.bn.bias", new float[Channels], Channels),
             b.Initializer("conv1.bn.running_mean", new float[Channels], Channels),
             b.Initializer("conv1.bn.running_var", Enumerable.Repeat(1f, Channels).ToArray(), Channels)],
            ("epsilon", 1e-5f),
            ("momentum", 0.9f));
        var relu = b.Node("Relu", [bn]);
        var sequence = b.Node("Squeeze", [relu, b.Initializer("squeeze_axes", new long[] { 3 }, 1)]);     // [N, C, T']
        var timeMajor = b.Node("Transpose", [sequence], ("perm", new long[] { 2, 0, 1 }));                  // [T', N, C]

        // GRU, ONNX gate order z, r, h: W [dirs, 3H, C], R [dirs, 3H, H], B [dirs, 6H].
        var bound = 1.0 / Math.Sqrt(Hidden);
        var w = b.Initializer("gru.W", Uniform(random, directions * 3 * Hidden * Channels, bound), directions, 3L * Hidden, Channels);
        var r = b.Initializer("gru.R", Uniform(random, directions * 3 * Hidden * Hidden, bound), directions, 3L * Hidden, Hidden);
        var bias = b.Initializer("gru.B", Uniform(random, directions * 6 * Hidden, bound), directions, 6L * Hidden);
        var y = b.Node(
            "GRU",
            [timeMajor, w, r, bias],
            ("hidden_size", (long)Hidden),
            ("direction", Bidirectional ? "bidirectional" : "forward"),
            ("linear_before_reset", 1L));                                                                     // [T', dirs, N, H]

        // [T', dirs, N, H] -> [T', N, dirs × H] as PyTorch exports it (channel pruning follows both forms): one
        // direction is squeezed out; two are moved next to the units and merged by a Reshape to [0, 0, -1].
        var merged = Bidirectional
            ? b.Node("Reshape", [b.Node("Transpose", [y], ("perm", new long[] { 0, 2, 1, 3 })), b.Initializer("gru_output_shape", new long[] { 0, 0, -1 }, 3)])
            : b.Node("Squeeze", [y, b.Initializer("gru_directions_axis", new long[] { 1 }, 1)]);
        var features = b.Node("Transpose", [merged], ("perm", new long[] { 1, 0, 2 }));                      // [N, T', dirs × H]

        // The classifier over every frame, as PyTorch exports a Linear on 3-D input: MatMul by [in, vocab], then Add.
        var width = directions * Hidden;
        var fcWeight = b.Initializer("fc.weight", Initialisation.Normal(random, width * Vocab, Math.Sqrt(1.0 / width)), width, Vocab);
        var scores = b.Node("Add", [b.Node("MatMul", [features, fcWeight]), b.Initializer("fc.bias", new float[Vocab], Vocab)]);
        b.Node("LogSoftmax", [scores], ("axis", -1L));
        b.Graph.Node[^1].Output[0] = OutputName;
        b.Output(OutputName, DataType.Float, "N", OutputTimeAxis, (long)Vocab);
        var model = b.Build();
        model.ProducerName = "Compress.Architectures.CrnnCtc";
        model.DocString = $"CRNN CTC recogniser: {Channels} channels, {(Bidirectional ? "bidirectional " : "")}GRU {Hidden}, input [N,1,{Frames},{Bins}], output [N,{OutputFrames},{Vocab}] log-probabilities, seed {Seed}.";
        return model;
    }

    private static float[] Uniform(Random random, int count, double bound)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }

        return values;
    }
}
