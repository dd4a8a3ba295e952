using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public sealed class ParityCheckTests
{
    [Fact]
    public void ASupportedModel_Passes_WithSymbolicDimensionsFromDims()
    {
        var (model, _) = SpeechModels.Get("gru-kws");
        var result = ParityCheck.Run(model, new Dictionary<string, long> { ["N"] = 2 }, seed: 3, file: "gru.onnx");
        Assert.True(result.Passed, string.Join("\n", result.Diagnostics));
        Assert.Equal([2L, 49, 40], Assert.Single(result.Inputs).Shape);
        var output = Assert.Single(result.Outputs);
        Assert.Equal([2L, 12], output.Shape);
        Assert.InRange(output.MaxAbsoluteError, 0, 1e-4);
    }

    [Fact]
    public void FixedInputs_AreFilledWithTheirValue_AndOtherDimsDefaultToOne()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "batch", 3L);
        var rate = b.Input("rate", DataType.Int64);
        b.Output(b.Node("Mul", [x, b.Node("Cast", [rate], ("to", (long)DataType.Float))]));
        var result = ParityCheck.Run(b.Build(), fixedInputs: new Dictionary<string, double> { ["rate"] = 16000 });
        Assert.True(result.Passed, string.Join("\n", result.Diagnostics));
        Assert.Equal([1L, 3], result.Inputs[0].Shape);
        Assert.Equal([16000L], (long[])result.Inputs[1].Data);
        Assert.Empty(result.Inputs[1].Shape);
    }

    [Fact]
    public void UnsupportedOperators_AreReported_WithoutRunning()
    {
        var b = new ModelBuilder(17);
        b.Output(b.Node("Resize", [b.Input("x", DataType.Float, 2L)]));
        var result = ParityCheck.Run(b.Build(), file: "m.onnx");
        Assert.False(result.Passed);
        Assert.Equal(ModelMessages.UnsupportedOperatorCode, Assert.Single(result.Diagnostics).Code);
        Assert.Empty(result.Outputs);
    }

    /// <summary>A deliberately wrong Relu (the identity), to prove the check sees a difference.</summary>
    public sealed class IdentityRelu : OnnxOperator
    {
        public override Tensor[] Forward(Compress.Graph.ExecutionContext context, IReadOnlyList<Tensor?> inputs) => [Input(inputs, 0).alias()];
    }

    [Fact]
    public void AnOutputBeyondTolerance_IsCMP2108_WithItsError()
    {
        var b = new ModelBuilder(17);
        b.Output(b.Node("Relu", [b.Input("x", DataType.Float, 50L)]));
        var registry = OperatorRegistry.Default.Clone();
        registry.Register<IdentityRelu>("", "Relu", 15);
        var result = ParityCheck.Run(b.Build(), registry: registry, file: "m.onnx");
        Assert.False(result.Passed);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(ModelMessages.ParityMismatchCode, d.Code);
        Assert.Equal("m.onnx", d.File);
        Assert.InRange(Assert.Single(result.Outputs).MaxAbsoluteError, 0.1, 1);
    }

    [Fact]
    public void AModelOnnxRuntimeCannotRun_IsCMP2107()
    {
        var b = new ModelBuilder(17).Opset("com.example", 1);
        b.Output(b.Node("Relu2", [b.Input("x", DataType.Float, 2L)], 1, "com.example")[0]);
        var registry = OperatorRegistry.Default.Clone();
        registry.Register<IdentityRelu>("com.example", "Relu2", 1);
        var result = ParityCheck.Run(b.Build(), registry: registry);
        Assert.Equal(ModelMessages.ParityRuntimeFailedCode, Assert.Single(result.Diagnostics).Code);
    }
}
