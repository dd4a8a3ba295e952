using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Training;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Training;

/// <summary>Small models and separable data for the pruning and training tests.</summary>
public static class TinyModels
{
    public const int Features = 16;
    public const int Classes = 4;

    /// <summary>x [N, 16] → Gemm(16→hidden) → Relu → Gemm(hidden→hidden) → Relu → Gemm(hidden→hidden) → Relu → Gemm(hidden→4). Names fc{i}.weight / fc{i}.bias.</summary>
    public static ModelProto Mlp(int hidden = 32, int seed = 3)
    {
        var random = new Random(seed);
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", (long)Features);
        var dims = new[] { Features, hidden, hidden, hidden, Classes };
        for (var i = 0; i < 4; i++)
        {
            var w = b.Initializer($"fc{i}.weight", Uniform(random, dims[i + 1] * dims[i], Math.Sqrt(3.0 / dims[i])), dims[i + 1], dims[i]);
            var bias = b.Initializer($"fc{i}.bias", Uniform(random, dims[i + 1], 0.05), dims[i + 1]);
            x = b.Node("Gemm", [x, w, bias], ("transB", 1L));
            if (i < 3)
            {
                x = b.Node("Relu", [x]);
            }
        }

        b.Graph.Node[^1].Output[0] = "logits";
        b.Output("logits", DataType.Float, "N", (long)Classes);
        var model = b.Build();
        model.DocString = "tiny mlp";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "tests" });
        return model;
    }

    /// <summary>Four Gaussian clusters in 16 dimensions (class c centred at +2 on features 4c..4c+3).</summary>
    public static ArrayTrainingData Clusters(int count, int seed, float noise = 0.7f)
    {
        var random = new Random(seed);
        var features = new float[count * Features];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var c = i % Classes;
            labels[i] = c;
            for (var f = 0; f < Features; f++)
            {
                features[(i * Features) + f] = (f / 4 == c ? 2f : 0f) + (noise * Gaussian(random));
            }
        }

        return new ArrayTrainingData(features, [Features], labels);
    }

    public static float[] Uniform(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    public static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    /// <summary>Initializer values of a model.</summary>
    public static float[] Values(ModelProto model, string name)
    {
        var t = model.Graph.Initializer.Single(i => i.Name == name);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
    }
}
