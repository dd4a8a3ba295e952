using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

public sealed class InputModelCheckTests
{
    [Theory]
    [InlineData("tcn-residual")]
    [InlineData("ds-cnn")]
    public void Run_AgreeingRuntimes_ReportNothing(string name)
    {
        var (model, input) = SpeechModels.Get(name);

        var problems = InputModelCheck.Run(model, OnnxModelIO.Save(model), (float[])input.Data, input.Shape, "model.onnx");

        Assert.Empty(problems);
    }

    [Fact]
    public void Run_ExecutorComputingOtherNumbers_IsCmp2110NamingTheOutputAndTheError()
    {
        // What a wrong native kernel looks like from outside: the executor's numbers differ from ONNX Runtime's on the
        // same model. Simulated by giving ONNX Runtime a copy with one weight changed.
        var (model, input) = SpeechModels.Get("tcn-residual");
        var other = model.Clone();
        var weight = other.Graph.Initializer.Single(i => i.Name == "fc.weight");
        var values = weight.RawData.ToByteArray();
        BitConverter.TryWriteBytes(values.AsSpan(0, 4), BitConverter.ToSingle(values, 0) + 0.5f);
        weight.RawData = Google.Protobuf.ByteString.CopyFrom(values);

        var problem = Assert.Single(InputModelCheck.Run(model, OnnxModelIO.Save(other), (float[])input.Data, input.Shape, "model.onnx"));

        Assert.Equal(ModelMessages.NativeKernelMismatchCode, problem.Code);
        Assert.True(problem.IsError);
        Assert.Equal("model.onnx", problem.File);
        var output = Assert.Single(model.Graph.Output).Name;
        Assert.Equal(output, problem.Node);
        Assert.StartsWith($"before training, the executor does not reproduce ONNX Runtime on the input model: output '{output}' ", problem.Message, StringComparison.Ordinal);
        Assert.Contains("max error", problem.Message, StringComparison.Ordinal);
        Assert.Contains("This machine: CPU ", problem.Message, StringComparison.Ordinal);
        Assert.Contains("oneDNN off for libtorch", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BytesOnnxRuntimeCannotRun_IsCmp2109()
    {
        var (model, input) = SpeechModels.Get("ds-cnn");
        var wrongShape = new long[] { input.Shape[0], 7 };

        var problem = Assert.Single(InputModelCheck.Run(model, OnnxModelIO.Save(model), new float[input.Shape[0] * 7], wrongShape, "model.onnx"));

        Assert.Equal(ModelMessages.DataRunFailedCode, problem.Code);
    }
}
