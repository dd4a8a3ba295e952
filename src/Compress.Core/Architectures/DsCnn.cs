using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Architectures;

/// <summary>
/// A depthwise-separable CNN keyword spotter (Hello Edge, Zhang et al. 2017), randomly initialised:
/// features <c>[N, 1, frames, bins]</c> → Conv(k×(10,4), stride 2) → BN → ReLU → <see cref="Blocks"/> ×
/// [depthwise 3×3 → BN → ReLU → pointwise 1×1 → BN → ReLU] → GlobalAveragePool → Flatten → Gemm → logits
/// <c>[N, classes]</c>. Weights use He (Kaiming) normal initialisation from <see cref="Seed"/>; BatchNorm starts at
/// identity statistics. Names follow PyTorch's export (<c>conv1.weight</c>, <c>blocks.0.dw.weight</c>, ...).
/// </summary>
public sealed record DsCnn(int Classes, int Frames = 49, int Bins = 40, int Channels = 64, int Blocks = 4, int Seed = 1, long Opset = 17)
{
    /// <summary>The graph input name.</summary>
    public const string InputName = "features";

    /// <summary>The graph output name.</summary>
    public const string OutputName = "logits";

    /// <summary>Builds the model.</summary>
    public ModelProto Build()
    {
        var random = new Random(Seed);
        var b = new ModelBuilder(Opset);
        var x = b.Input(InputName, DataType.Float, "N", 1L, (long)Frames, (long)Bins);
        x = ConvBnRelu(b, random, "conv1", x, 1, Channels, [10, 4], [2, 2], groups: 1, pads: [4, 1, 5, 2]);
        for (var i = 0; i < Blocks; i++)
        {
            x = ConvBnRelu(b, random, $"blocks.{i}.dw", x, Channels, Channels, [3, 3], [1, 1], groups: Channels, pads: [1, 1, 1, 1]);
            x = ConvBnRelu(b, random, $"blocks.{i}.pw", x, Channels, Channels, [1, 1], [1, 1], groups: 1, pads: [0, 0, 0, 0]);
        }

        var pooled = b.Node("Flatten", [b.Node("GlobalAveragePool", [x])], ("axis", 1L));
        var fcWeight = b.Initializer("fc.weight", Initialisation.Normal(random, Classes * Channels, Math.Sqrt(1.0 / Channels)), Classes, Channels);
        var fcBias = b.Initializer("fc.bias", new float[Classes], Classes);
        b.Node("Gemm", [pooled, fcWeight, fcBias], ("transB", 1L));
        b.Graph.Node[^1].Output[0] = OutputName; // the graph output keeps PyTorch's exported name
        b.Output(OutputName, DataType.Float, "N", (long)Classes);
        var model = b.Build();
        model.ProducerName = "Compress.Architectures.DsCnn";
        model.DocString = $"DS-CNN keyword spotter: {Channels} channels, {Blocks} blocks, input [N,1,{Frames},{Bins}], {Classes} classes, seed {Seed}.";
        return model;
    }

    private static string ConvBnRelu(ModelBuilder b, Random random, string name, string x, int inChannels, int outChannels, long[] kernel, long[] strides, int groups, long[] pads)
    {
        var fanIn = inChannels / groups * kernel[0] * kernel[1];
        var weight = b.Initializer($"{name}.weight", Initialisation.Normal(random, (int)(outChannels * fanIn), Math.Sqrt(2.0 / fanIn)), outChannels, inChannels / groups, kernel[0], kernel[1]);
        var conv = b.Node("Conv", [x, weight], ("kernel_shape", kernel), ("strides", strides), ("pads", pads), ("group", (long)groups));
        var bn = b.Node(
            "BatchNormalization",
            [conv,
             b.Initializer($"{name}.bn.weight", Enumerable.Repeat(1f, outChannels).ToArray(), outChannels),
             b.Initializer($"{name}.bn.bias", new float[outChannels], outChannels),
             b.Initializer($"{name}.bn.running_mean", new float[outChannels], outChannels),
             b.Initializer($"{name}.bn.running_var", Enumerable.Repeat(1f, outChannels).ToArray(), outChannels)],
            ("epsilon", 1e-5f),
            ("momentum", 0.9f));
        return b.Node("Relu", [bn]);
    }
}
