using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Architectures;

/// <summary>
/// A temporal convolution network keyword spotter as PyTorch exports one that takes time last, randomly initialised:
/// features <c>[N, bins, frames]</c> → Conv1d(bins → channels, k3) → BN → ReLU → one residual block per entry of
/// <see cref="Dilations"/> [Conv1d(k3, that dilation) → BN → ReLU, added to its input] → GlobalAveragePool → Flatten
/// → Gemm → logits <c>[N, classes]</c>. Weights uniform in ±sqrt(2 / fan-in) from <see cref="Seed"/>; BatchNorm
/// statistics near identity. With 40 bins its first layer is the Conv1d 40 → 48 that libtorch's oneDNN computes
/// wrongly on AVX-512 CPUs (docs/native-runtime.md), which is why the tests and the benchmark use it.
/// </summary>
public sealed record Tcn(int Classes = 12, int Bins = 40, int Frames = 98, int Channels = 48, int Seed = 11, long Opset = 17)
{
    /// <summary>The graph input name.</summary>
    public const string InputName = "features";

    /// <summary>The dilations of the residual blocks, in order.</summary>
    public IReadOnlyList<long> Dilations { get; init; } = [2, 4];

    /// <summary>Builds the model.</summary>
    public ModelProto Build()
    {
        var random = new Random(Seed);
        float[] Values(int count, double scale) => [.. Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale))];
        var b = new ModelBuilder(Opset);
        var x = b.Input(InputName, DataType.Float, "N", (long)Bins, (long)Frames);
        string Conv(string prefix, string input, int inChannels, long dilation)
        {
            var w = b.Initializer($"{prefix}.weight", Values(Channels * inChannels * 3, Math.Sqrt(2.0 / (inChannels * 3))), Channels, inChannels, 3);
            var conv = b.Node("Conv", [input, w, b.Initializer($"{prefix}.bias", Values(Channels, 0.05), Channels)],
                ("kernel_shape", new long[] { 3 }), ("dilations", new long[] { dilation }), ("pads", new long[] { dilation, dilation }));
            var bn = b.Node("BatchNormalization",
            [
                conv,
                b.Initializer($"{prefix}.bn.weight", [.. Values(Channels, 0.2).Select(v => v + 1)], Channels),
                b.Initializer($"{prefix}.bn.bias", Values(Channels, 0.1), Channels),
                b.Initializer($"{prefix}.bn.running_mean", Values(Channels, 0.1), Channels),
                b.Initializer($"{prefix}.bn.running_var", [.. Values(Channels, 0.2).Select(v => v + 1)], Channels),
            ]);
            return b.Node("Relu", [bn]);
        }

        var h = Conv("stem", x, Bins, 1);
        for (var i = 0; i < Dilations.Count; i++)
        {
            h = b.Node("Add", [h, Conv($"block{i}", h, Channels, Dilations[i])]);
        }

        var pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [h])], ("axis", 1L));
        b.Output(b.Node("Gemm", [pooled, b.Initializer("fc.weight", Values(Classes * Channels, 0.2), Classes, Channels), b.Initializer("fc.bias", new float[Classes], Classes)], ("transB", 1L)));
        return b.Build();
    }
}
