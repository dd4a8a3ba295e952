using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Core.Tests.Training;
using Compress.Evaluation;
using Compress.Features;
using Compress.Graph;
using Compress.Onnx;
using Compress.Runtime;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Features;

/// <summary>
/// The front end with a dynamic time axis (variable-length clips): PCM [N, samples] in, [N, 1, frames, bins] out with
/// frames = 1 + ⌊(samples − window) / hop⌋, the features the fixed graph computes for a clip of that many samples.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class FrontEndDynamicLengthTests(ITestOutputHelper output)
{
    private static readonly FrontEndOptions LogMel = new(FrontEndKind.LogMel);

    // Hop 80 < window 200 < n_fft 256: four hop-long pieces a frame, so pieces end 3, 2 and 1 chunks before the end.
    private static readonly FrontEndOptions Overlapping = new(FrontEndKind.LogMel, SampleRate: 8000, ClipSeconds: 0.25, WindowMs: 25, HopMs: 10, NFft: 256, MelBins: 20, FMin: 50, FMax: 3800);


    [Theory]
    [InlineData(FrontEndKind.LogMel, 17)]
    [InlineData(FrontEndKind.Mfcc, 11)]
    public void Build_DynamicLength_ExecutorMatchesOnnxRuntime_ShorterEqualAndLongerThanTheClip(FrontEndKind kind, long opset)
    {
        TorchRuntime.Initialize();
        var o = new FrontEndOptions(kind);
        var model = FrontEndGraph.Build(o, FrontEndForm.Auto, dynamicLength: true, opset: opset);
        Assert.Equal(FrontEndGraph.SamplesAxis, model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimParam);
        Assert.Equal(FrontEndGraph.FramesAxis, model.Graph.Output[0].Type.TensorType.Shape.Dim[2].DimParam);

        // 9,000 and 23,456 are not whole hops (320); 480 is exactly one window.
        foreach (var length in new[] { 9000, o.Samples, 23456, o.WindowSamples })
        {
            var pcm = FrontEndGraphTests.Signal(2, length, seed: length);

            var ort = OrtRunner.Run(model, [pcm]);

            Assert.Equal([2L, 1, FrontEndGraph.FramesFor(o, length), o.Bins], ort["features"].Shape);
            ParityAssert.Equal(ort, ExecutorRunner.Run(model, [pcm]), Tolerance.Parity);
        }
    }

    [Theory]
    [InlineData(FrontEndForm.Auto)]
    [InlineData(FrontEndForm.Conv)]
    public void Build_DynamicLength_GivesTheFixedGraphsFeatures_ForAClipOfThatLength(FrontEndForm form)
    {
        var dynamic = FrontEndGraph.Build(LogMel, form, dynamicLength: true);

        foreach (var length in new[] { 9000, LogMel.Samples, 23456 })
        {
            var pcm = FrontEndGraphTests.Signal(2, length, seed: 3);
            var fixedGraph = FrontEndGraph.Build(LogMel with { ClipSeconds = length / (double)LogMel.SampleRate }, form);

            var expected = (float[])OrtRunner.Run(fixedGraph, [pcm])["features"].Data;
            var actual = (float[])OrtRunner.Run(dynamic, [pcm])["features"].Data;

            Assert.Equal(expected, actual); // the same samples through the same nodes: bit for bit
        }

        // At clip_seconds it is today's graph's output.
        var clip = FrontEndGraphTests.Signal(3, LogMel.Samples, seed: 7);
        Assert.Equal((float[])OrtRunner.Run(FrontEndGraph.Build(LogMel, form), [clip])["features"].Data, (float[])OrtRunner.Run(dynamic, [clip])["features"].Data);
    }

    [Fact]
    public void Build_DynamicLength_OverlappingPieces_MatchTheFixedGraphAndTheExecutor()
    {
        TorchRuntime.Initialize();
        var dynamic = FrontEndGraph.Build(Overlapping, FrontEndForm.Auto, dynamicLength: true);
        Assert.Equal((16, 16), FrontEndGraph.SpectrumForm(Overlapping));

        foreach (var length in new[] { 1234, Overlapping.Samples, 3001, 200 })
        {
            var pcm = FrontEndGraphTests.Signal(1, length, seed: 5);
            var fixedGraph = FrontEndGraph.Build(Overlapping with { ClipSeconds = length / (double)Overlapping.SampleRate });

            var ort = OrtRunner.Run(dynamic, [pcm]);

            Assert.Equal(1 + ((length - 200) / 80), ort["features"].Shape[2]);
            Assert.Equal((float[])OrtRunner.Run(fixedGraph, [pcm])["features"].Data, (float[])ort["features"].Data);
            ParityAssert.Equal(ort, ExecutorRunner.Run(dynamic, [pcm]), Tolerance.Parity);
        }
    }

    [Fact]
    public void ConstantFolding_LeavesTheLengthArithmetic_SoTheFoldedGraphStillFollowsTheLength()
    {
        TorchRuntime.Initialize();
        var folded = ConstantFolding.Fold(FrontEndGraph.Build(LogMel, FrontEndForm.Auto, dynamicLength: true)).Model;

        Assert.Contains(folded.Graph.Node, n => n.OpType == "Shape");
        foreach (var length in new[] { 9000, 23456 })
        {
            var pcm = FrontEndGraphTests.Signal(1, length, seed: 1);
            var executor = ExecutorRunner.Run(folded, [pcm]);
            Assert.Equal(FrontEndGraph.FramesFor(LogMel, length), executor["features"].Shape[2]);
            ParityAssert.Equal(OrtRunner.Run(folded, [pcm]), executor, Tolerance.Parity);
        }
    }

    [Fact]
    public void FramesFor_IsTheFixedFrameRule_AtAnyLength()
    {
        Assert.Equal(LogMel.Frames, FrontEndGraph.FramesFor(LogMel, LogMel.Samples));
        Assert.Equal(1, FrontEndGraph.FramesFor(LogMel, 480));
        Assert.Equal(1, FrontEndGraph.FramesFor(LogMel, 799));
        Assert.Equal(2, FrontEndGraph.FramesFor(LogMel, 800));
        Assert.Equal(0, FrontEndGraph.FramesFor(LogMel, 479));
        Assert.Equal(149, FrontEndGraph.FramesFor(LogMel, 48000));
    }

    [Fact]
    public void Prepend_ToTheExportedCtcFixture_TakesClipsOfAnyLength_AndTheOutputFramesFollow()
    {
        var fixture = ExportedFixtures.Get("ctc_crnn_op17");
        var model = OnnxModelIO.Load(Path.Combine(ExportedFixtures.Folder, fixture.Path));
        var o = LogMel with { ClipSeconds = 3 };

        var combined = FrontEndGraph.Prepend(model, o);

        var input = Assert.Single(combined.Graph.Input);
        Assert.Equal(FrontEndGraph.SamplesAxis, input.Type.TensorType.Shape.Dim[1].DimParam);
        Assert.EndsWith(";length=dynamic", combined.MetadataProps.Single(p => p.Key == FrontEndGraph.MetadataKey).Value, StringComparison.Ordinal);
        var frontEnd = FrontEndGraph.Build(o, FrontEndForm.Auto, dynamicLength: true);
        foreach (var length in new[] { 16000, o.Samples, 61111 })
        {
            var pcm = FrontEndGraphTests.Signal(2, length, seed: 2);
            var frames = FrontEndGraph.FramesFor(o, length);

            var together = OrtRunner.Run(combined, [pcm]);

            Assert.Equal([2L, (frames + 1) / 2, 29], together["log_probs"].Shape);
            var features = OrtRunner.Run(frontEnd, [pcm])["features"];
            var separate = OrtRunner.Run(model, [CaseTensor.Floats("features", (float[])features.Data, 2, frames, 40)]);
            ParityAssert.Equal(separate, together, Tolerance.Parity);
        }

        TorchRuntime.Initialize();
        var clip = FrontEndGraphTests.Signal(1, 20000, seed: 4);
        ParityAssert.Equal(OrtRunner.Run(combined, [clip]), ExecutorRunner.Run(combined, [clip]), Tolerance.Parity);
    }

    /// <summary>
    /// The sample's phrase recogniser's shape (new-model crnn-ctc, 128 channels, bidirectional GRU 128, 3 s) with the
    /// front end prepended: a 1.2 s phrase fed at its own length against padded to 3 s, and the dynamic graph against
    /// the fixed one at 3 s. Prints the median ONNX Runtime latency (one thread, default optimisations); asserts only
    /// the shapes and that the two graphs agree at 3 s.
    /// </summary>
    [Fact]
    public void Prepend_ToNewModelCrnnCtc_AShortPhraseAtItsOwnLength_HasFewerFramesThanPadded()
    {
        var o = LogMel with { ClipSeconds = 3 };
        var dense = new Compress.Architectures.CrnnCtc(Channels: 128, Hidden: 128, Bidirectional: true).Build();
        var dynamic = FrontEndGraph.Prepend(dense, o);
        var fixedAxis = dense.Clone();
        fixedAxis.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = o.Frames;
        fixedAxis.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue = (o.Frames + 1) / 2;
        var padded = FrontEndGraph.Prepend(fixedAxis, o);
        var phrase = FrontEndGraphTests.Signal(1, 19200, seed: 8);
        var window = new float[o.Samples];
        ((float[])phrase.Data).CopyTo(window, 0);
        var full = CaseTensor.Floats("pcm", window, 1, o.Samples);

        var (own, ownMs) = Timed(dynamic, phrase);
        var (dynamicFull, dynamicMs) = Timed(dynamic, full);
        var (fixedFull, fixedMs) = Timed(padded, full);

        Assert.Equal([1L, 30, 29], own.Shape); // 1 + (19200 − 480) / 320 = 59 frames → 30
        Assert.Equal([1L, 75, 29], dynamicFull.Shape);
        var comparison = Tolerance.Parity.Compare((float[])fixedFull.Data, (float[])dynamicFull.Data);
        Assert.True(comparison.Passed, comparison.ToString());
        output.WriteLine($"1.2 s phrase at its own length: {ownMs:0.000} ms; padded to 3 s: {dynamicMs:0.000} ms (dynamic graph), {fixedMs:0.000} ms (fixed graph); median of 30 runs, 1 thread");
    }

    [Fact]
    public void Prepend_ToAModelWithAFixedTimeAxis_KeepsTheFixedFrontEnd()
    {
        var model = OnnxModelIO.Load(Path.Combine(ExportedFixtures.Folder, "ctc_crnn_op17.onnx"));
        model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = 49;

        var combined = FrontEndGraph.Prepend(model, LogMel);

        Assert.Equal(LogMel.Samples, combined.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.DoesNotContain(combined.Graph.Node, n => n.OpType == "Shape" && n.Name.StartsWith("frontend/", StringComparison.Ordinal));
        Assert.Equal(FrontEndGraph.Describe(LogMel), combined.MetadataProps.Single(p => p.Key == FrontEndGraph.MetadataKey).Value);
    }

    /// <summary>The output of one clip and the median latency of 30 runs (after 3 warm-up runs) in ms.</summary>
    private static (CaseTensor Output, double Milliseconds) Timed(Compress.Onnx.Proto.ModelProto model, CaseTensor pcm)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory((float[])pcm.Data, pcm.Shape);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        var times = new List<double>();
        float[] values = [];
        long[] shape = [];
        for (var i = 0; i < 33; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var results = session.Run(runOptions, ["pcm"], [input], session.OutputNames);
            watch.Stop();
            if (i >= 3)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            values = results[0].GetTensorDataAsSpan<float>().ToArray();
            shape = results[0].GetTensorTypeAndShape().Shape;
        }

        times.Sort();
        return (CaseTensor.Floats("log_probs", values, shape), times[times.Count / 2]);
    }
}
