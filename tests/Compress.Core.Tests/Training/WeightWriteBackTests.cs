using Compress.Core.Tests.Graph;
using Compress.Export;
using Compress.Graph;
using Compress.Onnx.Proto;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Training;

public sealed class WeightWriteBackTests
{
    [Fact]
    public void Apply_WritesValues_KeepsEverythingElse_AndRunsInOnnxRuntime()
    {
        var original = TinyModels.Mlp();
        original.Graph.ValueInfo.Add(global::Compress.Onnx.ModelBuilder.ValueInfo("v0", TensorProto.Types.DataType.Float, "N", 32L));
        original.Graph.Initializer[0].DocString = "kept";
        var before = original.Clone();
        using var module = OnnxGraphModule.Create(original);
        using (no_grad())
        {
            foreach (var p in module.OnnxParameters.Values)
            {
                p.mul_(0.5f);
            }
        }

        var written = WeightWriteBack.Apply(original, module.OnnxParameters.ToDictionary(p => p.Key, p => (Tensor)p.Value));

        Assert.Equal(before, original);
        Assert.Equal(original.OpsetImport, written.OpsetImport);
        Assert.Equal(original.MetadataProps, written.MetadataProps);
        Assert.Equal(original.DocString, written.DocString);
        Assert.Equal(original.Graph.ValueInfo, written.Graph.ValueInfo);
        Assert.Equal(original.Graph.Node, written.Graph.Node);
        Assert.Equal("kept", written.Graph.Initializer[0].DocString);
        Assert.Equal(TinyModels.Values(original, "fc1.weight").Select(v => v * 0.5f), TinyModels.Values(written, "fc1.weight"));

        var input = CaseTensor.Random("x", 4, -1, 1, 5, TinyModels.Features);
        var ort = (float[])OrtRunner.Run(written, [input])["logits"].Data;
        module.eval();
        using var scope = NewDisposeScope();
        var executor = module.Forward(tensor((float[])input.Data, input.Shape)).data<float>().ToArray();
        Assert.Equal(executor.Length, ort.Length);
        Assert.All(executor.Zip(ort), p => Assert.Equal(p.First, p.Second, 1e-4f));
    }

    [Fact]
    public void Apply_UnknownName_Throws()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => WeightWriteBack.Apply(TinyModels.Mlp(), new Dictionary<string, Tensor> { ["nope"] = zeros(1) }));
    }
}
