using Compress.Architectures;
using Compress.Core.Tests.Onnx;
using Compress.Graph;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Runtime;
using Compress.Training;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Runtime;

/// <summary>
/// Tests that flip libtorch's process-wide oneDNN switch. xunit runs a collection with parallelization disabled after
/// the parallel ones, alone, so no other test's convolution runs while the switch is on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneDnnSwitchCollection
{
    public const string Name = "libtorch's oneDNN switch";
}

/// <summary>
/// <c>COMPRESS_ONEDNN=auto</c> (docs/native-runtime.md): the convolution shapes a fine-tuning will run are recorded
/// from the executor and checked through oneDNN against float64 before oneDNN computes the fine-tuning.
/// </summary>
[Collection(OneDnnSwitchCollection.Name)]
public sealed class OneDnnVettingTests
{
    private static readonly OneDnnGuardStatus Auto = new(OneDnnGuardChoice.Auto, "test", AtRisk: false);

    /// <summary>
    /// A float32 convolution that is right on every machine (computed in float64, then rounded): the engine's decision
    /// then depends on its logic only, not on whether this CPU's oneDNN is right (the real check is tested above).
    /// </summary>
    private static readonly OneDnnVetting.ConvolutionKernel Exact = (s, x, w, b) =>
        OneDnnVetting.LibTorchWithOneDnn(s, x.to_type(ScalarType.Float64), w.to_type(ScalarType.Float64), b?.to_type(ScalarType.Float64)).to_type(ScalarType.Float32);

    [Fact]
    public void Recorder_RecordsEachDistinctConvolution_AsLibTorchReceivesIt()
    {
        using var module = OnnxGraphModule.Create(new DsCnn(Classes: 12, Channels: 16, Blocks: 2).Build());
        module.eval();

        IReadOnlyList<ConvolutionShape> shapes;
        using (var recorder = ConvolutionRecorder.Start())
        using (no_grad())
        {
            module.ForwardScores(zeros(3, 1, 49, 40));
            module.ForwardScores(zeros(3, 1, 49, 40));
            shapes = recorder.Shapes;
        }

        // The first Conv's asymmetric pads (4, 1, 5, 2) are applied by a zero pad first: libtorch sees 58 × 43, no pad.
        // The two blocks' depthwise and point-wise Convs have one shape each: 3 distinct shapes for 5 Convs × 2 passes.
        // No bias: each Conv is followed by a BatchNormalization.
        Assert.Equal<string>(
            [
                "conv2d input [3, 1, 58, 43] weight [16, 1, 10, 4] stride 2,2 pad 0,0 dilation 1,1 group 1",
                "conv2d input [3, 16, 25, 20] weight [16, 1, 3, 3] stride 1,1 pad 1,1 dilation 1,1 group 16",
                "conv2d input [3, 16, 25, 20] weight [16, 16, 1, 1] stride 1,1 pad 0,0 dilation 1,1 group 1",
            ],
            shapes.Select(s => s.ToString()).ToList());
    }

    [Fact]
    public void Recorder_OutsideStart_RecordsNothing_AndANestedRecorderRestoresTheOuterOne()
    {
        var shape = new ConvolutionShape([1, 2, 8], [2, 2, 3], false, [1], [1], [1], 1);
        ConvolutionRecorder.Record(() => throw new InvalidOperationException("no recorder is active: the shape is not even built"));

        using var outer = ConvolutionRecorder.Start();
        using (var inner = ConvolutionRecorder.Start())
        {
            ConvolutionRecorder.Record(() => shape);
            ConvolutionRecorder.RecordUnchecked("ConvTranspose");
            Assert.Single(inner.Shapes);
            Assert.Equal(["ConvTranspose"], inner.Unchecked);
        }

        ConvolutionRecorder.Record(() => shape with { Groups = 2 });
        Assert.Equal("conv1d input [1, 2, 8] weight [2, 2, 3] stride 1 pad 1 dilation 1 group 2", Assert.Single(outer.Shapes).ToString());
        Assert.Empty(outer.Unchecked);
    }

    [Fact]
    public void ConvTranspose_IsRecordedAsUnchecked_AndAutoThenKeepsOneDnnOff()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 1L, 2L, 3L, 4L);
        var w = b.Initializer("w", Enumerable.Range(0, 18).Select(i => i / 18f).ToArray(), 2, 1, 3, 3);
        b.Output(b.Node("ConvTranspose", [x, w], ("strides", new long[] { 2, 2 })), DataType.Float);
        using var module = OnnxGraphModule.Create(b.Build());

        using var recorder = ConvolutionRecorder.Start();
        using (no_grad())
        {
            module.Forward(ones(1, 2, 3, 4));
        }

        Assert.Equal(["ConvTranspose"], recorder.Unchecked);
        var decision = OneDnnVetting.Decide(recorder.Shapes, recorder.Unchecked);
        Assert.False(decision.Training);
        Assert.Equal("off: the model runs ConvTranspose, whose oneDNN kernels are not checked", decision.Reason);
        Assert.Empty(decision.Checks);
    }

    [Fact]
    public void Decide_WithoutConvolutions_KeepsOneDnnOff()
    {
        var decision = OneDnnVetting.Decide([], []);

        Assert.False(decision.Training);
        Assert.Equal("auto", decision.Setting);
        Assert.Equal("off: the model has no convolution, the only layers oneDNN would compute", decision.Reason);
    }

    [Fact]
    public void Check_ChannelCountsOneDnnGetsRight_Pass_AndTheSwitchIsOffAfterwards()
    {
        // The sample DS-CNN's layers at its batch of 64 (one input channel, then multiples of 16 channels): right with
        // oneDNN at every instruction set measured, the EPYC with vp2intersect included (docs/native-runtime.md).
        ConvolutionShape[] shapes =
        [
            new([64, 64, 25, 20], [64, 1, 3, 3], true, [1, 1], [1, 1], [1, 1], 64),
            new([64, 64, 25, 20], [64, 64, 1, 1], false, [1, 1], [0, 0], [1, 1], 1),
            new([64, 1, 58, 43], [64, 1, 10, 4], true, [2, 2], [0, 0], [1, 1], 1),
        ];

        var checks = OneDnnVetting.Check(shapes);

        Assert.Equal(shapes, checks.Select(c => c.Shape));
        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Shape}: forward {c.ForwardError:g3}, input gradient {c.InputGradientError:g3}, weight gradient {c.WeightGradientError:g3}"));
        Assert.All(checks, c => Assert.InRange(c.Error, 0, 1e-5));
        Assert.False(OneDnnGuard.IsEnabled());
    }

    [Fact]
    public void Check_AWrongKernel_FailsItsShape_InTheOutputAndBothGradients()
    {
        var stem = new ConvolutionShape([4, 40, 98], [48, 40, 3], true, [1], [1], [1], 1);
        var wrongBy1e3 = new OneDnnVetting.ConvolutionKernel((s, x, w, b) => nn.functional.conv1d(x, w.mul(tensor(1.001f)), b, padding: 1));
        var oneNaN = new OneDnnVetting.ConvolutionKernel((s, x, w, b) => nn.functional.conv1d(x, w, b, padding: 1).mul(NaNAt(s, 5)));

        var scaled = Assert.Single(OneDnnVetting.Check([stem], wrongBy1e3));
        var nan = Assert.Single(OneDnnVetting.Check([stem], oneNaN));

        Assert.False(scaled.Passed);
        Assert.All([scaled.ForwardError, scaled.InputGradientError, scaled.WeightGradientError], e => Assert.InRange(e, 5e-4, 2e-3));
        Assert.False(nan.Passed);
        Assert.True(double.IsNaN(nan.ForwardError) && double.IsNaN(nan.Error));
        Assert.False(OneDnnGuard.IsEnabled());
    }

    [Fact]
    public void Check_OnTheCpuWhereOneDnnWasFoundWrong_CatchesTheTcnStem()
    {
        // docs/native-runtime.md: on an AMD EPYC with AVX-512 and vp2intersect, oneDNN's AVX-512 kernels compute this
        // Conv1d 40 → 48 wrongly (errors 0.1–14); on other CPUs measured here (an EPYC without vp2intersect) it is right.
        var stem = new ConvolutionShape([4, 40, 98], [48, 40, 3], true, [1], [1], [1], 1);

        var check = Assert.Single(OneDnnVetting.Check([stem]));

        Assert.False(OneDnnGuard.IsEnabled());
        Assert.False(double.IsInfinity(check.Error));
        if (CpuInfo.Current.Flags.Contains("avx512_vp2intersect"))
        {
            Assert.False(check.Passed, $"oneDNN computed the TCN stem right on this CPU ({CpuInfo.Current.Model}): relative error {check.Error:g3}");
        }
    }

    [Fact]
    public void Engine_Auto_ChecksEveryBatchSizeTheFineTuningRuns_AndTrainsWithOneDnnWhenAllPass()
    {
        using var module = OnnxGraphModule.Create(new DsCnn(Classes: 4, Channels: 16, Blocks: 1).Build());
        var train = Data(70, [1, 49, 40], seed: 1);
        var validation = Data(45, [1, 49, 40], seed: 2);

        var decision = CompressionEngine.DecideOneDnn(Auto, module, train, validation, batchSize: 32, Exact);

        // Training batches of 32 (the last incomplete one is dropped), validation batches of 32 and the remaining 13.
        Assert.Equal([13, 32], decision.Checks.Select(c => c.Shape.Input[0]).Distinct().Order());
        Assert.Equal(3 * 2, decision.Checks.Count);
        Assert.True(decision.Training, decision.Reason);
        Assert.StartsWith("on for fine-tuning: oneDNN computed all 6 convolution shape(s)", decision.Reason, StringComparison.Ordinal);
        Assert.False(OneDnnGuard.IsEnabled());
        Assert.True(module.training);
    }

    [Theory]
    [InlineData("dscnn_bn_op13")]
    [InlineData("dscnn_bn_preserve_op13")]
    [InlineData("cnn_nhwc_op13")]
    public void Engine_Auto_RecordsAndChecksEveryConvOfAModelExportedByPyTorch(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var model = OnnxModelIO.Load(fixture.Path);
        using var module = OnnxGraphModule.Create(model);
        var data = Data(6, fixture.Inputs[0].RecordedShape[1..], seed: 7);

        var decision = CompressionEngine.DecideOneDnn(Auto, module, data, data, batchSize: 4, Exact);

        // Batches of 4 and the remaining 2; every Conv of the file appears with its weight's shape, as PyTorch wrote it.
        Assert.True(decision.Training, decision.Reason);
        Assert.Equal([2, 4], decision.Checks.Select(c => c.Shape.Input[0]).Distinct().Order());
        var weights = model.Graph.Node.Where(n => n.OpType == "Conv")
            .Select(n => string.Join(",", model.Graph.Initializer.Single(t => t.Name == n.Input[1]).Dims))
            .ToHashSet();
        Assert.Equal(weights, decision.Checks.Select(c => string.Join(",", c.Shape.Weight)).ToHashSet());
        Assert.False(OneDnnGuard.IsEnabled());
    }

    [Fact]
    public void Engine_Auto_KeepsOneDnnOff_WhenOneShapeIsComputedWrongly_NamingIt()
    {
        using var module = OnnxGraphModule.Create(new Tcn(Classes: 4).Build());
        var train = Data(8, [40, 98], seed: 3);
        var validation = Data(8, [40, 98], seed: 4);
        // Wrong only for the stem's 40 input channels: the other shapes get libtorch's real convolution.
        var wrongStem = new OneDnnVetting.ConvolutionKernel((s, x, w, b) => OneDnnVetting.LibTorchWithOneDnn(s, x, s.Input[1] == 40 ? w.mul(tensor(1.01f)) : w, b));

        var decision = CompressionEngine.DecideOneDnn(Auto, module, train, validation, batchSize: 8, wrongStem);

        Assert.False(decision.Training);
        Assert.All(decision.Checks, c => Assert.Equal(8, c.Shape.Input[0]));
        var failed = Assert.Single(decision.Checks, c => !c.Passed);
        Assert.Equal("conv1d input [8, 40, 98] weight [48, 40, 3] stride 1 pad 1 dilation 1 group 1, bias", failed.Shape.ToString());
        Assert.StartsWith($"off: oneDNN computes 1 of the {decision.Checks.Count} convolution shape(s) wrongly on this CPU, e.g. {failed.Shape} (relative error ", decision.Reason, StringComparison.Ordinal);
        Assert.False(OneDnnGuard.IsEnabled());
    }

    [Theory]
    [InlineData(OneDnnGuardChoice.Disabled, "off", false)]
    [InlineData(OneDnnGuardChoice.UserEnabled, "on", true)]
    public void Engine_OnOrOff_IsFixed_AndChecksNothing(OneDnnGuardChoice choice, string setting, bool training)
    {
        using var module = OnnxGraphModule.Create(new DsCnn(Classes: 4, Channels: 16, Blocks: 1).Build());
        var data = Data(4, [1, 49, 40], seed: 5);

        var decision = CompressionEngine.DecideOneDnn(new OneDnnGuardStatus(choice, "test", false), module, data, data, 4);

        Assert.Equal((setting, training), (decision.Setting, decision.Training));
        Assert.Empty(decision.Checks);
        Assert.Equal($"COMPRESS_ONEDNN={setting}", decision.Reason);
    }

    [Fact]
    public void Window_SwitchesOneDnnOn_ForAnAutoDecisionToTrain_AndOffWhenDisposed()
    {
        var train = new OneDnnDecision("auto", true, "test", [], 0);
        using (OneDnnWindow.Open(train))
        {
            Assert.True(OneDnnGuard.IsEnabled());
        }

        Assert.False(OneDnnGuard.IsEnabled());
        using (OneDnnWindow.Open(train with { Training = false }))
        {
            Assert.False(OneDnnGuard.IsEnabled());
        }

        // `on` is the process's own setting, which the guard left alone: the window does not touch the switch.
        using (OneDnnWindow.Open(new OneDnnDecision("on", true, "test", [], 0)))
        {
            Assert.False(OneDnnGuard.IsEnabled());
        }
    }

    [Fact]
    public void Window_AConvolutionThatWasNotChecked_SwitchesOneDnnOffBeforeItRuns_AndTheOutcomeSaysSo()
    {
        using var module = OnnxGraphModule.Create(new DsCnn(Classes: 4, Channels: 16, Blocks: 1).Build());
        module.eval();
        var data = Data(8, [1, 49, 40], seed: 6);
        var decision = CompressionEngine.DecideOneDnn(Auto, module, data, data, batchSize: 8, Exact);
        Assert.True(decision.Training, decision.Reason);

        OneDnnDecision outcome;
        using (var window = OneDnnWindow.Open(decision))
        using (no_grad())
        {
            module.ForwardScores(zeros(8, 1, 49, 40));
            Assert.True(OneDnnGuard.IsEnabled());
            Assert.Null(window.Unchecked);

            // Batch 5 was never checked: the first Conv sees it and switches oneDNN off before libtorch runs it.
            module.ForwardScores(zeros(5, 1, 49, 40));
            Assert.False(OneDnnGuard.IsEnabled());
            Assert.Equal("conv2d input [5, 1, 58, 43] weight [16, 1, 10, 4] stride 2,2 pad 0,0 dilation 1,1 group 1", window.Unchecked!.ToString());
            module.ForwardScores(zeros(8, 1, 49, 40));
            Assert.False(OneDnnGuard.IsEnabled());
            outcome = window.Outcome(decision);
        }

        Assert.False(OneDnnGuard.IsEnabled());
        Assert.EndsWith("; switched off during fine-tuning before a convolution that was not checked: conv2d input [5, 1, 58, 43] weight [16, 1, 10, 4] stride 2,2 pad 0,0 dilation 1,1 group 1", outcome.Reason, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() =>
        {
            using var first = OneDnnWindow.Open(decision);
            using var second = OneDnnWindow.Open(decision);
        });
        Assert.False(OneDnnGuard.IsEnabled());
    }

    [Fact]
    public void Report_RecordsTheChecks_ToThreeSignificantDigits_AndANaNErrorAsNull()
    {
        var shape = new ConvolutionShape([4, 40, 98], [48, 40, 3], true, [1], [1], [1], 1);
        var decision = new OneDnnDecision("auto", false, "off: test", [new ConvolutionCheck(shape, 0.123456, double.NaN, 1.23456e-7)], 1.234);

        var record = RunReport.OneDnn(decision)!;

        var check = Assert.Single(record.Checks);
        Assert.Equal((0.123, (double?)null, 1.23e-7, false), (check.ForwardError, check.InputGradientError, check.WeightGradientError, check.Passed));
        Assert.Equal("conv1d input [4, 40, 98] weight [48, 40, 3] stride 1 pad 1 dilation 1 group 1, bias", check.Shape);
        Assert.Equal(("auto", false, 1.23), (record.Setting, record.Training, record.Seconds));
        Assert.False(new ConvolutionCheck(shape, 0, double.NaN, 0).Passed);
    }

    /// <summary>Ones of the shape's output with NaN at flat index <paramref name="index"/>.</summary>
    private static Tensor NaNAt(ConvolutionShape s, int index)
    {
        var length = (s.Input[2] + (2 * s.Padding[0]) - (s.Dilations[0] * (s.Weight[2] - 1)) - 1) / s.Strides[0] + 1;
        var values = Enumerable.Repeat(1f, (int)(s.Input[0] * s.Weight[0] * length)).ToArray();
        values[index] = float.NaN;
        return tensor(values, [s.Input[0], s.Weight[0], length]);
    }

    private static ArrayTrainingData Data(int count, long[] itemShape, int seed)
    {
        var random = new Random(seed);
        var size = (int)itemShape.Aggregate(1L, (a, d) => a * d);
        var features = Enumerable.Range(0, count * size).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        return new ArrayTrainingData(features, itemShape, [.. Enumerable.Range(0, count).Select(i => i % 4)]);
    }
}
