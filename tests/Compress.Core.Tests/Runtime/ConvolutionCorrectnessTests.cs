using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Runtime;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Runtime;

/// <summary>
/// The oneDNN regression (docs/native-runtime.md): libtorch's oneDNN convolutions compute wrong results for channel
/// counts that are not a multiple of their block (on the AVX-512 machine this was found on: a Conv1d over 40 mel bins,
/// a 24-channel Conv2d). Every test here fails on such a machine without <see cref="OneDnnGuard"/>
/// (e.g. <c>COMPRESS_ONEDNN=on ./test.sh</c>) and runs on every machine.
/// </summary>
public sealed class ConvolutionCorrectnessTests
{
    [Fact]
    public void Guard_SwitchesLibTorchOneDnnOff_BeforeTheFirstConvolution()
    {
        var status = TorchRuntime.Initialize().OneDnn;

        Assert.Equal(OneDnnGuardChoice.Disabled, status.Choice);
        Assert.False(status.AtRisk);
    }

    [Theory]
    [InlineData(null, OneDnnGuardChoice.Disabled)]
    [InlineData("", OneDnnGuardChoice.Disabled)]
    [InlineData("off", OneDnnGuardChoice.Disabled)]
    [InlineData(" OFF ", OneDnnGuardChoice.Disabled)]
    [InlineData("0", OneDnnGuardChoice.Disabled)]
    [InlineData("false", OneDnnGuardChoice.Disabled)]
    [InlineData("on", OneDnnGuardChoice.UserEnabled)]
    [InlineData("1", OneDnnGuardChoice.UserEnabled)]
    [InlineData("True", OneDnnGuardChoice.UserEnabled)]
    [InlineData("auto", OneDnnGuardChoice.Auto)]
    [InlineData(" Auto ", OneDnnGuardChoice.Auto)]
    public void Decide_ReadsTheUsersSetting(string? value, OneDnnGuardChoice expected)
    {
        Assert.Equal(expected, OneDnnGuard.Decide(value));
    }

    [Fact]
    public void Unset_CannotChangeOnceTheProcessHasDecided()
    {
        TorchRuntime.Initialize();

        var error = Assert.Throws<InvalidOperationException>(() => OneDnnGuard.Unset = OneDnnGuardChoice.Auto);
        Assert.StartsWith("OneDnnGuard.Unset must be set before TorchRuntime.Initialize()", error.Message, StringComparison.Ordinal);
        Assert.Equal(OneDnnGuardChoice.Disabled, OneDnnGuard.Unset);
        OneDnnGuard.Unset = OneDnnGuardChoice.Disabled; // the value it has: allowed
    }

    [Fact]
    public void Decide_RejectsAnUnknownSetting_WithCmp0105()
    {
        var error = Assert.Throws<CompressException>(() => OneDnnGuard.Decide("avx2"));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(RuntimeMessages.BadGuardSettingCode, diagnostic.Code);
        Assert.Contains("COMPRESS_ONEDNN=avx2 is not a known setting", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfTest_EveryCase_MatchesTheFloat64Reference_ForwardAndBackward()
    {
        var results = ConvolutionSelfTest.Run();

        Assert.Equal(ConvolutionSelfTest.Cases.Count, results.Count);
        var wrong = results.Where(r => !r.Passed).Select(r => $"{r.Case}: forward {r.ForwardError:G3}, backward {r.BackwardError:G3}").ToList();
        Assert.True(wrong.Count == 0, "wrong convolutions: " + string.Join("; ", wrong));
    }

    [Fact]
    public void SelfTest_Reference_IsTheTextbookConvolution()
    {
        // 1 → 1 channel, x = [1, 2, 3, 4], kernel [1, −1] dilated by 2, padding 1, bias 0.5: the padded input is
        // [0, 1, 2, 3, 4, 0] and y[t] = x[t] − x[t + 2] + 0.5 = [−1.5, −1.5, −1.5, 3.5].
        var dilated = new ConvolutionCase("hand-1d", 1, 1, 1, 2, 1, 2, 1, 1, 4);
        Assert.Equal([-1.5, -1.5, -1.5, 3.5], ConvolutionSelfTest.DirectConvolution(dilated, [1, 2, 3, 4], [1, -1], [0.5], [1, 1, 4]));

        // 2 → 2 channels in 2 groups, 2-D, stride 2, no padding, 1×1 kernels [2], [−1]: each channel scaled and subsampled.
        var grouped = new ConvolutionCase("hand-2d", 2, 2, 2, 1, 2, 1, 0, 2, 0);
        double[] x = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]; // [1, 2, 2, 3]
        Assert.Equal([2, 6, -10, -30], ConvolutionSelfTest.DirectConvolution(grouped, x, [2, -1], [0, 0], [1, 2, 2, 3]));
    }

    public static TheoryData<string> Models => new() { "tcn-time-last", "embedding-cnn" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Executor_MatchesOnnxRuntime_AndTheFloat64Executor(string name)
    {
        var (model, input) = Build(name);

        var ort = Assert.Single(OrtRunner.Run(model, [input])).Value;
        var executor = Assert.Single(ExecutorRunner.Run(model, [input])).Value;
        var reference = RunInFloat64(model, input);

        var againstOrt = Tolerance.Parity.Compare((float[])ort.Data, (float[])executor.Data, ort.Shape);
        Assert.True(againstOrt.Passed, "executor vs ONNX Runtime: " + againstOrt.Detail);
        var againstFloat64 = Tolerance.Parity.Compare(reference, (float[])executor.Data, ort.Shape);
        Assert.True(againstFloat64.Passed, "executor vs float64: " + againstFloat64.Detail);
        var ortAgainstFloat64 = Tolerance.Parity.Compare(reference, (float[])ort.Data, ort.Shape);
        Assert.True(ortAgainstFloat64.Passed, "ONNX Runtime vs float64: " + ortAgainstFloat64.Detail);
    }

    /// <summary>
    /// The executor on a float64 copy of the model (initializers, input and output as DOUBLE): libtorch's float64
    /// convolutions never use oneDNN, so this is an independent reference computed by the same graph.
    /// </summary>
    private static float[] RunInFloat64(ModelProto model, CaseTensor input)
    {
        var copy = model.Clone();
        using (var scope = NewDisposeScope())
        {
            for (var i = 0; i < copy.Graph.Initializer.Count; i++)
            {
                var initializer = copy.Graph.Initializer[i];
                if (initializer.DataType == (int)DataType.Float)
                {
                    copy.Graph.Initializer[i] = OnnxTensors.FromTorch(OnnxTensors.ToTorch(initializer).to_type(ScalarType.Float64), initializer.Name);
                }
            }
        }

        foreach (var value in copy.Graph.Input.Concat(copy.Graph.Output))
        {
            value.Type.TensorType.ElemType = (int)DataType.Double;
        }

        var output = Assert.Single(ExecutorRunner.Run(copy, [input with { Data = ((float[])input.Data).Select(v => (double)v).ToArray() }])).Value;
        return ((double[])output.Data).Select(v => (float)v).ToArray();
    }

    private static (ModelProto Model, CaseTensor Input) Build(string name) => name switch
    {
        "tcn-time-last" => TimeLastTcn(),
        "embedding-cnn" => EmbeddingCnn(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static float[] Values(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    /// <summary>As PyTorch exports a TCN over [N, 40 bins, 98 frames]: Conv1d 40→48, then dilated (2, 4) Conv1d + BN + Relu blocks with residual Adds.</summary>
    private static (ModelProto, CaseTensor) TimeLastTcn() =>
        (new Tcn(Seed: 15).Build(), CaseTensor.Random(Tcn.InputName, 5, -2, 2, 3, 40, 98));

    /// <summary>A wake-word embedding CNN: [N, 1, 76, 32] log-mel → Conv2d 1→24, 24→24, MaxPool, 24→20, 20→48, MaxPool, 48→96 → global max → [N, 96].</summary>
    private static (ModelProto, CaseTensor) EmbeddingCnn()
    {
        var random = new Random(16);
        var b = new ModelBuilder(13);
        var x = b.Input("mel", DataType.Float, "N", 1L, 76L, 32L);
        string Conv(string prefix, string input, int inChannels, int outChannels)
        {
            var w = b.Initializer($"{prefix}.weight", Values(random, outChannels * inChannels * 9, Math.Sqrt(2.0 / (inChannels * 9))), outChannels, inChannels, 3, 3);
            var conv = b.Node("Conv", [input, w, b.Initializer($"{prefix}.bias", Values(random, outChannels, 0.05), outChannels)],
                ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }));
            return b.Node("Relu", [conv]);
        }

        string Pool(string input) => b.Node("MaxPool", [input], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var h = Pool(Conv("conv2", Conv("conv1", x, 1, 24), 24, 24));
        h = Pool(Conv("conv4", Conv("conv3", h, 24, 20), 20, 48));
        h = Conv("conv5", h, 48, 96);
        b.Output(b.Node("Flatten", [b.Node("GlobalMaxPool", [h])], ("axis", 1L)));
        return (b.Build(), CaseTensor.Random("mel", 6, -3, 3, 2, 1, 76, 32));
    }
}
