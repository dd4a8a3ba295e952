using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Features;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Features;

public sealed class FrontEndGraphTests
{
    private static readonly FrontEndOptions LogMel = new(FrontEndKind.LogMel);
    private static readonly FrontEndOptions Mfcc = new(FrontEndKind.Mfcc);

    [Fact]
    public void Defaults_OneSecondAt16kHz_Gives49Frames()
    {
        Assert.Equal(49, LogMel.Frames);
        Assert.Equal([1L, 49, 40], LogMel.OutputShape);
        Assert.Equal([1L, 49, 10], Mfcc.OutputShape);
        Assert.Equal([1L, 16000], new FrontEndOptions(FrontEndKind.None).OutputShape);
        Assert.Equal(480, LogMel.WindowSamples);
        Assert.Equal(320, LogMel.HopSamples);
    }

    [Theory]
    [InlineData(FrontEndKind.LogMel, 17)]
    [InlineData(FrontEndKind.Mfcc, 17)]
    [InlineData(FrontEndKind.None, 17)]
    [InlineData(FrontEndKind.Mfcc, 11)]
    [InlineData(FrontEndKind.LogMel, 16)]
    public void Build_ExecutorMatchesOnnxRuntime(FrontEndKind kind, long opset)
    {
        var o = new FrontEndOptions(kind);
        var model = FrontEndGraph.Build(o, opset: opset);
        var pcm = Signal(3, o.Samples, seed: 5);

        var ort = OrtRunner.Run(model, [pcm]);
        var executor = ExecutorRunner.Run(model, [pcm]);

        Assert.Equal([3L, .. o.OutputShape], ort["features"].Shape);
        ParityAssert.Equal(ort, executor, Tolerance.Parity);
    }

    [Theory]
    [InlineData(FrontEndKind.LogMel, 17)]
    [InlineData(FrontEndKind.Mfcc, 17)]
    [InlineData(FrontEndKind.LogMel, 11)]
    public void Build_MatchesADirectDftReference(FrontEndKind kind, long opset)
    {
        var o = new FrontEndOptions(kind, SampleRate: 8000, ClipSeconds: 0.25, WindowMs: 25, HopMs: 10, NFft: 256, MelBins: 20, FMin: 50, FMax: 3800, Coefficients: 13);
        var pcm = Signal(2, o.Samples, seed: 9);

        var actual = (float[])ExecutorRunner.Run(FrontEndGraph.Build(o, opset: opset), [pcm])["features"].Data;

        var expected = Reference(o, (float[])pcm.Data, 2);
        Assert.Equal(expected.Length, actual.Length);
        var comparison = new Tolerance(2e-3, 1e-4).Compare(expected, actual);
        Assert.True(comparison.Passed, comparison.ToString());
    }

    [Theory]
    [InlineData(FrontEndKind.LogMel)]
    [InlineData(FrontEndKind.Mfcc)]
    public void Build_FactoredForm_GivesTheConvFormsFeatures(FrontEndKind kind)
    {
        var o = new FrontEndOptions(kind);
        var pcm = Signal(3, o.Samples, seed: 11);

        var factored = FrontEndGraph.Build(o);
        var conv = FrontEndGraph.Build(o, FrontEndForm.Conv);

        Assert.Equal((16, 32), FrontEndGraph.SpectrumForm(o));
        Assert.Contains(factored.Graph.Node, n => n.Name == "frontend/Stage2");
        Assert.DoesNotContain(factored.Graph.Node, n => n.OpType == "Conv");
        Assert.Contains(conv.Graph.Node, n => n.OpType == "Conv");
        ParityAssert.Equal(OrtRunner.Run(conv, [pcm]), OrtRunner.Run(factored, [pcm]), Tolerance.Parity);
        ParityAssert.Equal(OrtRunner.Run(factored, [pcm]), ExecutorRunner.Run(factored, [pcm]), Tolerance.Parity);
    }

    [Theory]
    [InlineData(8000, 25, 10, 256)] // hop 80 < window 200 < n_fft: four chunks a frame, the clip padded
    [InlineData(16000, 32, 32, 512)] // hop = window = n_fft: one chunk a frame, the clip cut to whole hops
    [InlineData(16000, 25, 10, 400)] // n_fft 400 = 20 x 20, not a power of two
    [InlineData(16000, 20, 40, 384)] // hop 640 > n_fft 384: frames skip samples
    public void Build_FactoredForm_MatchesTheDirectReference_ForOtherGeometries(int rate, double windowMs, double hopMs, int nfft)
    {
        var o = new FrontEndOptions(FrontEndKind.LogMel, SampleRate: rate, ClipSeconds: 0.3, WindowMs: windowMs, HopMs: hopMs, NFft: nfft, MelBins: 24, FMin: 30, FMax: rate / 2.0);
        var pcm = Signal(2, o.Samples, seed: 13);
        var model = FrontEndGraph.Build(o);
        Assert.NotNull(FrontEndGraph.SpectrumForm(o));

        var ort = OrtRunner.Run(model, [pcm]);

        var comparison = new Tolerance(2e-3, 1e-4).Compare(Reference(o, (float[])pcm.Data, 2), (float[])ort["features"].Data);
        Assert.True(comparison.Passed, comparison.ToString());
        ParityAssert.Equal(ort, ExecutorRunner.Run(model, [pcm]), Tolerance.Parity);
    }

    [Fact]
    public void Build_PrimeNfft_FallsBackToTheConvForm()
    {
        var o = new FrontEndOptions(FrontEndKind.LogMel, ClipSeconds: 0.25, WindowMs: 25, HopMs: 10, NFft: 401, FMax: 7000);
        var pcm = Signal(1, o.Samples, seed: 17);

        var model = FrontEndGraph.Build(o);

        Assert.Null(FrontEndGraph.SpectrumForm(o));
        Assert.Contains(model.Graph.Node, n => n.OpType == "Conv");
        var comparison = new Tolerance(2e-3, 1e-4).Compare(Reference(o, (float[])pcm.Data, 1), (float[])OrtRunner.Run(model, [pcm])["features"].Data);
        Assert.True(comparison.Passed, comparison.ToString());
    }

    [Theory]
    [InlineData(17)]
    [InlineData(11)]
    public void Build_FilterbankNodes_GiveTheDoublePrecisionMatrix(long opset)
    {
        var o = new FrontEndOptions(FrontEndKind.LogMel, NFft: 1024, MelBins: 64, FMin: 20, FMax: 7600);
        var model = FrontEndGraph.Build(o, opset: opset);
        model.Graph.Output.Add(new ValueInfoProto { Name = "frontend/mel_filterbank_out" });

        var bank = OrtRunner.Run(model, [Signal(1, o.Samples, seed: 2)])["frontend/mel_filterbank_out"];

        Assert.Equal([(long)o.FrequencyBins, o.MelBins], bank.Shape);
        var comparison = new Tolerance(1e-6, 1e-5).Compare(FrontEndMatrices.MelFilterbank(o), (float[])bank.Data);
        Assert.True(comparison.Passed, comparison.ToString());
    }

    [Fact]
    public void Build_SilenceHitsTheLogFloor()
    {
        var o = LogMel with { LogFloor = 1e-3 };
        var silence = CaseTensor.Floats("pcm", new float[o.Samples], 1, o.Samples);

        var features = (float[])ExecutorRunner.Run(FrontEndGraph.Build(o), [silence])["features"].Data;

        Assert.All(features, v => Assert.Equal(MathF.Log(1e-3f), v, 5));
    }

    [Fact]
    public void BuildAndPrepend_BelowOpset11_ReportTheMinimum()
    {
        var build = Assert.Throws<CompressException>(() => FrontEndGraph.Build(LogMel, opset: 10));
        var model = Classifier([1, 49, 40]);
        model.OpsetImport[0].Version = 10;
        var prepend = Assert.Throws<CompressException>(() => FrontEndGraph.Prepend(model, LogMel));

        Assert.Equal(DataMessages.InvalidFrontEndCode, Assert.Single(build.Diagnostics).Code);
        Assert.Contains("opset 10 is too old; the front-end needs opset 11 or newer", build.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(DataMessages.PrependMismatchCode, Assert.Single(prepend.Diagnostics).Code);
        Assert.Contains("at opset 10; the front-end needs 11 or newer", prepend.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InvalidOptions_ReportEveryProblem()
    {
        var o = new FrontEndOptions(FrontEndKind.Mfcc, WindowMs: 40, NFft: 256, FMin: 9000, Coefficients: 50);

        var e = Assert.Throws<CompressException>(() => FrontEndGraph.Build(o));

        Assert.All(e.Diagnostics, d => Assert.Equal(DataMessages.InvalidFrontEndCode, d.Code));
        Assert.Equal(3, e.Diagnostics.Count);
    }

    [Theory]
    [InlineData(new long[] { 1, 49, 40 })]
    [InlineData(new long[] { 49, 40 })]
    [InlineData(new long[] { 1960 })]
    public void Prepend_RunsInOrtAndEqualsFrontEndThenModel(long[] featureShape)
    {
        var model = Classifier(featureShape);
        var pcm = Signal(2, LogMel.Samples, seed: 3);

        var combined = FrontEndGraph.Prepend(model, LogMel);

        var input = Assert.Single(combined.Graph.Input);
        Assert.Equal("pcm", input.Name);
        Assert.Contains(combined.MetadataProps, p => p.Key == "owner" && p.Value == "tests");
        Assert.Contains(combined.MetadataProps, p => p.Key == FrontEndGraph.MetadataKey);
        Assert.Equal(model.OpsetImport, combined.OpsetImport);
        var features = OrtRunner.Run(FrontEndGraph.Build(LogMel), [pcm])["features"];
        var separate = OrtRunner.Run(model, [CaseTensor.Floats("x", (float[])features.Data, [2, .. featureShape])]);
        var together = OrtRunner.Run(combined, [pcm]);
        ParityAssert.Equal(separate, together, Tolerance.Parity);
        ParityAssert.Equal(together, ExecutorRunner.Run(combined, [pcm]), Tolerance.Parity);
    }

    [Fact]
    public void Prepend_ToAModelThatAlreadyNamesAFrontEnd_KeepsOneEntry()
    {
        // A baseline Compress trained and exported without prepending records its front end; prepending it for the
        // shipped model used to add a second compress.front_end entry.
        var model = Classifier([1, 49, 40]);
        model.MetadataProps.Add(new Compress.Onnx.Proto.StringStringEntryProto { Key = FrontEndGraph.MetadataKey, Value = "{\"kind\":\"log_mel\"}" });

        var combined = FrontEndGraph.Prepend(model, LogMel);

        var entry = Assert.Single(combined.MetadataProps, p => p.Key == FrontEndGraph.MetadataKey);
        Assert.Equal(FrontEndGraph.Describe(LogMel), entry.Value);
        Assert.Single(model.MetadataProps, p => p.Key == FrontEndGraph.MetadataKey); // the input model is not changed
    }

    [Fact]
    public void Prepend_NameClash_UsesAnotherPrefix()
    {
        var model = Classifier([1, 49, 40]);
        model.Graph.Node[0].Name = "frontend/Mel";

        var combined = FrontEndGraph.Prepend(model, LogMel);

        Assert.Contains(combined.Graph.Node, n => n.Name == "frontend1/Mel");
        Assert.Equal(combined.Graph.Node.Count, combined.Graph.Node.Select(n => n.Name).Distinct().Count());
        Assert.Single(OrtRunner.Run(combined, [Signal(1, LogMel.Samples, 1)]));
    }

    [Fact]
    public void Prepend_ShapeMismatch_ReportsCmp3202()
    {
        var model = Classifier([1, 49, 10]);

        var e = Assert.Throws<CompressException>(() => FrontEndGraph.Prepend(model, LogMel));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(DataMessages.PrependMismatchCode, d.Code);
        Assert.Contains("[N, 1, 49, 10]", d.Message, StringComparison.Ordinal);
    }

    /// <summary>Flatten → MatMul → Add over a feature input of the given shape (after the batch).</summary>
    private static ModelProto Classifier(long[] featureShape)
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, [(object)"N", .. featureShape.Cast<object>()]);
        var size = (int)featureShape.Aggregate(1L, (a, d) => a * d);
        var random = new Random(4);
        var w = b.Initializer("w", [.. Enumerable.Range(0, size * 3).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f)], size, 3);
        var bias = b.Initializer("bias", [0.1f, -0.2f, 0.3f], 3);
        var flat = b.Node("Flatten", [x], ("axis", 1L));
        var logits = b.Node("Add", [b.Node("MatMul", [flat, w]), bias]);
        b.Graph.Output.Add(ModelBuilder.ValueInfo(logits, DataType.Float, "N", 3L));
        var model = b.Build();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "owner", Value = "tests" });
        return model;
    }

    /// <summary>Two tones plus seeded noise per row, amplitude about 0.5 (also <see cref="FrontEndDynamicLengthTests"/>'s clips).</summary>
    internal static CaseTensor Signal(int batch, int samples, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * samples];
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i < samples; i++)
            {
                data[(b * samples) + i] = (float)((0.3 * Math.Sin(2 * Math.PI * (300 + (200 * b)) * i / 16000.0)) + (0.1 * Math.Sin(i * 0.9)) + (0.1 * (random.NextDouble() - 0.5)));
            }
        }

        return CaseTensor.Floats("pcm", data, batch, samples);
    }

    /// <summary>
    /// Independent reference in double precision: a direct DFT of each Hann-windowed frame, power, HTK triangular
    /// filters written from the formula, natural log with the floor, and the orthonormal DCT-II.
    /// </summary>
    private static float[] Reference(FrontEndOptions o, float[] pcm, int batch)
    {
        int win = (int)Math.Round(o.SampleRate * o.WindowMs / 1000), hop = (int)Math.Round(o.SampleRate * o.HopMs / 1000);
        var samples = pcm.Length / batch;
        var frames = 1 + ((samples - win) / hop);
        var bins = (o.NFft / 2) + 1;
        static double Mel(double f) => 2595 * Math.Log10(1 + (f / 700));
        static double Hz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);
        var edges = new double[o.MelBins + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = Hz(Mel(o.FMin) + ((Mel(o.FMax!.Value) - Mel(o.FMin)) * i / (o.MelBins + 1)));
        }

        var output = new List<float>();
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < frames; t++)
            {
                var power = new double[bins];
                for (var k = 0; k < bins; k++)
                {
                    double re = 0, im = 0;
                    for (var n = 0; n < win; n++)
                    {
                        var x = pcm[(b * samples) + (t * hop) + n] * (0.5 - (0.5 * Math.Cos(2 * Math.PI * n / win)));
                        re += x * Math.Cos(2 * Math.PI * k * n / o.NFft);
                        im -= x * Math.Sin(2 * Math.PI * k * n / o.NFft);
                    }

                    power[k] = (re * re) + (im * im);
                }

                var logMel = new double[o.MelBins];
                for (var m = 0; m < o.MelBins; m++)
                {
                    double sum = 0;
                    for (var k = 0; k < bins; k++)
                    {
                        var f = k * (double)o.SampleRate / o.NFft;
                        var weight = f <= edges[m] || f >= edges[m + 2] ? 0 : f <= edges[m + 1] ? (f - edges[m]) / (edges[m + 1] - edges[m]) : (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                        sum += weight * power[k];
                    }

                    logMel[m] = Math.Log(Math.Max(sum, o.LogFloor));
                }

                if (o.Kind == FrontEndKind.LogMel)
                {
                    output.AddRange(logMel.Select(v => (float)v));
                    continue;
                }

                for (var c = 0; c < o.Coefficients; c++)
                {
                    var s = 0.0;
                    for (var m = 0; m < o.MelBins; m++)
                    {
                        s += logMel[m] * Math.Cos(Math.PI * c * ((2 * m) + 1) / (2 * o.MelBins));
                    }

                    output.Add((float)(s * Math.Sqrt((c == 0 ? 1.0 : 2.0) / o.MelBins)));
                }
            }
        }

        return [.. output];
    }
}
