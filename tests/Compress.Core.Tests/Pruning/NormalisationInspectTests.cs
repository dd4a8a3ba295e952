using Compress.Core.Tests.Onnx;
using Compress.Onnx;
using Compress.Pruning;

namespace Compress.Core.Tests.Pruning;

/// <summary><c>inspect</c> says when a model's Convs have no BatchNorm after them, and what to do before pruning it hard.</summary>
public sealed class NormalisationInspectTests
{
    public NormalisationInspectTests() => Compress.Runtime.TorchRuntime.Initialize();

    [Fact]
    public void Describe_TheBatchNormFoldedExport_SaysEveryConvLacksOne()
    {
        var lines = ModelInspector.Describe(OnnxModelIO.Load(ExportedFixtures.Get("dscnn_bn_op13").Path), "dscnn.onnx").Split('\n');

        Assert.Contains("Normalisation: 5 of 5 Convs have no BatchNormalization after them (an export that folded BatchNorm into the Conv?); to prune such a model hard, export with TrainingMode.PRESERVE or set finetune.insert_batchnorm: true (docs/pruning.md, \"BatchNorm-folded exports\")", lines);
    }

    [Theory]
    [InlineData("dscnn_bn_preserve_op13")]
    [InlineData("gru_kws_op17")]
    public void Describe_AModelWithItsBatchNormsOrWithoutConvs_SaysNothing(string fixture)
    {
        var text = ModelInspector.Describe(OnnxModelIO.Load(ExportedFixtures.Get(fixture).Path), "m.onnx");

        Assert.DoesNotContain("Normalisation:", text, StringComparison.Ordinal);
    }
}
