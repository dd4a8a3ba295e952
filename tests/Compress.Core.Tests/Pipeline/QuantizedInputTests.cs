using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Spec;
using Compress.Spec.Checks;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary>A model whose weights are int8 already (QDQ, as Compress or ONNX Runtime's quantizer writes it) is refused with CMP2121 by validate and run, before any data is read.</summary>
public sealed class QuantizedInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-quantized-input-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Run_And_Validate_RefuseInt8Weights_NamingThem()
    {
        var spec = Write(quantized: true);

        var result = new CompressPipeline("test").Run(new PipelineRequest(spec, null, null, null), new Progress<ProgressUpdate>(), CancellationToken.None);
        var validated = SpecChecks.Validate(spec);

        var expected = $"{Path.Combine(_folder, "m.onnx")}: error CMP2121: the model is quantized already: 1 weight(s) are int8 behind DequantizeLinear ('w_q'); Compress prunes and fine-tunes float weights — give it the float model, and set quantize.weights: int8 to get int8 weights that keep the pruned zeros";
        Assert.Equal(PipelineOutcome.Failed, result.Outcome);
        Assert.Equal([expected], result.Diagnostics.Select(d => d.ToString()));
        Assert.Contains(expected, validated.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void TheSameModelWithFloatWeights_IsNotCmp2121()
    {
        var spec = Write(quantized: false);

        Assert.DoesNotContain(SpecChecks.Validate(spec).Diagnostics, d => d.Code == ModelMessages.AlreadyQuantizedCode);
    }

    /// <summary>[N, 4] → MatMul with a [4, 2] weight (int8 behind DequantizeLinear, or float) → [N, 2]; a spec whose data folder is empty.</summary>
    private CompressSpec Write(bool quantized)
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var w = quantized
            ? b.Node("DequantizeLinear", [b.Initializer(ModelBuilder.Tensor("w_q", new sbyte[] { 1, -2, 3, 0, 5, -6, 7, 8 }, 4, 2)), b.Initializer("w_scale", [0.1f])])
            : b.Initializer("w", [0.1f, -0.2f, 0.3f, 0f, 0.5f, -0.6f, 0.7f, 0.8f], 4, 2);
        _ = b.Node("MatMul", [x, w]);
        b.Graph.Node[^1].Output[0] = "y";
        b.Output("y", DataType.Float, "N", 2L);
        OnnxModelIO.Save(b.Build(), Path.Combine(_folder, "m.onnx"));
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllText(Path.Combine(_folder, "compress.yaml"), "model: m.onnx\ndata:\n  root: data\nlabels: [a, b]\nfeatures:\n  kind: none\n");
        return SpecParser.Parse(Path.Combine(_folder, "compress.yaml")).Spec!;
    }
}
