using Compress.Core.Tests.Data;
using Compress.Core.Tests.Training;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Spec;
using Microsoft.ML.OnnxRuntime;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary>Runs of the whole pipeline on .npy features with a sigmoid wake-word head and with a second output.</summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class OutputHeadPipelineTests : IDisposable
{
    private const int Items = 400;
    private const int Width = 8;
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-heads-").FullName;

    public OutputHeadPipelineTests()
    {
        var random = new Random(5);
        var x = new float[Items * Width];
        var y = new long[Items];
        for (var i = 0; i < Items; i++)
        {
            for (var f = 0; f < Width; f++)
            {
                x[(i * Width) + f] = TinyModels.Gaussian(random);
            }

            y[i] = x[i * Width] + x[(i * Width) + 1] - x[(i * Width) + 2] > 0 ? 1 : 0;
        }

        NpyWriter.Floats(Path.Combine(_folder, "x.npy"), x, Items, Width);
        NpyWriter.Longs(Path.Combine(_folder, "y.npy"), y);
    }

    [Theory]
    [InlineData("[hey_computer]")]
    [InlineData("[_negative_, hey_computer]")]
    public void Run_SigmoidHead_TrainsWithBinaryCrossEntropy_ReachesTheSparsity_AndOrtMeasuresTheShippedProbability(string labels)
    {
        OnnxModelIO.Save(WakeWordHead(withEmbeddingOutput: false), Path.Combine(_folder, "ww.onnx"));
        var spec = Spec("ww.onnx", labels, "");

        var result = PipelineFixture.Run(spec);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.Equal(new HeadRecord("prob", "sigmoid", "logit", "binary_cross_entropy", "head"), report.Head);
        Assert.InRange(report.TotalSparsity, 0.499, 0.501);
        Assert.Equal(["_negative_", "hey_computer"], report.Compressed!.PerClass.Select(c => c.Label));
        Assert.True(report.Compressed.Accuracy > 0.85, $"accuracy {report.Compressed.Accuracy}");

        // The accuracy is ONNX Runtime's threshold of the shipped probability at 0.5 on the written bytes.
        var evaluation = new ModelEvaluator().Evaluate(spec.Output.Path, spec, CancellationToken.None);
        Assert.Equal(report.Compressed.Accuracy, evaluation.Value!.Measurement.Metrics.Accuracy);
        Assert.Equal(1, evaluation.Value.Measurement.PositiveClass);
    }

    [Fact]
    public void Run_WakeWordTask_ReportsAndShipsTheOperatingPoint_ThatOrtsScoresOfTheShippedBytesReproduce()
    {
        OnnxModelIO.Save(WakeWordHead(withEmbeddingOutput: false), Path.Combine(_folder, "ww.onnx"));
        // The test split's negatives are ~20 one-second clips: 360 false accepts per hour allows 2 of them.
        var spec = Spec("ww.onnx", "[hey_computer]", "", "task: wake_word\nwake_word:\n  fa_per_hour: 360\n");
        var manifestPath = Path.Combine(_folder, "ww.manifest.json");

        var result = PipelineFixture.Run(spec, manifestPath);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        var wake = report.Compressed!.WakeWord!;
        Assert.Equal(("hey_computer", 360.0), (wake.Label, wake.FaPerHour));
        Assert.Equal(wake.Threshold, report.Compressed.Threshold);
        Assert.Equal(wake.FalseRejectRate, report.Compressed.FrrAtFaPerHour);
        Assert.NotNull(report.Baseline!.WakeWord);

        // ONNX Runtime's probabilities of the shipped bytes: the threshold admits at most the allowed false accepts,
        // one step lower it would admit more, and the counts are what it gives.
        var measurement = new ModelEvaluator().Evaluate(spec.Output.Path, spec, CancellationToken.None).Value!.Measurement;
        var positives = Enumerable.Range(0, measurement.Truth.Count).Where(i => measurement.Truth[i] == 1).Select(i => measurement.Scores[i][1]).ToList();
        var negatives = Enumerable.Range(0, measurement.Truth.Count).Where(i => measurement.Truth[i] != 1).Select(i => measurement.Scores[i][1]).ToList();
        var allowed = (int)Math.Floor(360.0 * negatives.Count / 3600.0);
        Assert.Equal(2, allowed);
        Assert.Equal((positives.Count, negatives.Count), (wake.Positives, wake.Negatives));
        Assert.Equal(negatives.Count(p => p >= wake.Threshold), wake.FalseAccepts);
        Assert.InRange(wake.FalseAccepts, 0, allowed);
        Assert.True(negatives.Count(p => p >= MathF.BitDecrement(wake.Threshold)) > allowed, "a lower threshold would still be within the false-accept budget");
        Assert.Equal(positives.Count(p => p < wake.Threshold), wake.FalseRejects);
        Assert.Equal((double)wake.FalseRejects / positives.Count, wake.FalseRejectRate, 6);

        // The manifest carries the compressed model's operating point for the generated accessor.
        using var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath));
        var shipped = written.RootElement.GetProperty("wakeWord");
        Assert.Equal(("hey_computer", 1, 360.0, wake.Threshold), (shipped.GetProperty("label").GetString(), shipped.GetProperty("index").GetInt32(), shipped.GetProperty("faPerHour").GetDouble(), shipped.GetProperty("threshold").GetSingle()));
        Assert.Contains("| FRR of hey_computer at 360 FA/h |", File.ReadAllText(Path.Combine(spec.Output.Report, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ClassifyTask_ShipsNoWakeWord()
    {
        OnnxModelIO.Save(WakeWordHead(withEmbeddingOutput: false), Path.Combine(_folder, "ww.onnx"));
        var manifestPath = Path.Combine(_folder, "plain.manifest.json");

        var result = PipelineFixture.Run(Spec("ww.onnx", "[hey_computer]", ""), manifestPath);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        using var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath));
        Assert.False(written.RootElement.TryGetProperty("wakeWord", out _));
    }

    [Fact]
    public void Run_SecondOutput_IsKeptIntactInTheExport_AndModelOutputChoosesTheTrainedOne()
    {
        OnnxModelIO.Save(WakeWordHead(withEmbeddingOutput: true), Path.Combine(_folder, "two.onnx"));
        var ambiguous = PipelineFixture.Run(Spec("two.onnx", "[hey_computer]", ""));
        var spec = Spec("two.onnx", "[hey_computer]", "  output: prob\n");
        var manifest = Path.Combine(_folder, "two.manifest.json");

        var result = PipelineFixture.Run(spec, manifest);

        Assert.Equal("CMP1030", Assert.Single(ambiguous.Diagnostics, d => d.IsError).Code);
        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var exported = OnnxModelIO.Load(File.ReadAllBytes(spec.Output.Path));
        Assert.Equal(["side", "prob"], exported.Graph.Output.Select(o => o.Name));

        // The manifest (and so the app's generated accessor) names the output that was trained and measured, not the first.
        using (var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest)))
        {
            Assert.Equal("prob", written.RootElement.GetProperty("outputName").GetString());
        }

        // ONNX Runtime runs both outputs of the export; 'side' does not depend on the trained output, so it is
        // neither trained nor pruned and equals the input model's.
        var input = new float[3 * Width];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (i % 7) - 3f;
        }

        var before = RunOrt(OnnxModelIO.Save(WakeWordHead(withEmbeddingOutput: true)), input);
        var after = RunOrt(File.ReadAllBytes(spec.Output.Path), input);
        Assert.Equal(before["side"], after["side"]);
        Assert.Equal(3, after["prob"].Length);
        Assert.All(after["prob"], p => Assert.InRange(p, 0f, 1f));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private CompressSpec Spec(string model, string labels, string modelExtra, string extra = "")
    {
        var path = Path.Combine(_folder, "compress.yaml");
        File.WriteAllText(path, $"""
            model:
              path: {model}
            {modelExtra}data:
              format: npy
              features: x.npy
              labels: y.npy
              cache: cache
            labels: {labels}
            pruning:
              method: magnitude
              target_sparsity: 0.5
            finetune:
              epochs: 12
              batch_size: 32
              learning_rate: 0.01
              label_smoothing: 0.05
              distillation:
                weight: 0.2
            gate:
              metric: accuracy
              max_drop: 1
            output:
              path: out/ww.onnx
              report: out/report
            seed: 1
            threads: 1
            {extra}
            """);
        var parsed = SpecParser.Parse(path);
        return parsed.Spec ?? throw new InvalidOperationException("test spec does not parse: " + string.Join("; ", parsed.Diagnostics));
    }

    /// <summary>x [N, 8] → Gemm(16) → Relu → Gemm(16) → Relu → Gemm(1) ('logit') → Sigmoid ('head') → 'prob' [N, 1]; optionally x → Gemm(3) → 'side' [N, 3].</summary>
    private static ModelProto WakeWordHead(bool withEmbeddingOutput)
    {
        var random = new Random(11);
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", (long)Width);
        var h = b.Node("Relu", [b.Node("Gemm", [x, b.Initializer("fc0.weight", TinyModels.Uniform(random, 16 * Width, 0.6), 16, Width), b.Initializer("fc0.bias", new float[16], 16)], ("transB", 1L))]);
        b.Graph.Node[^1].Output[0] = "embedding";
        if (withEmbeddingOutput)
        {
            // A second output on its own branch: nothing of it reaches 'prob'.
            b.Node("Gemm", [x, b.Initializer("side.weight", TinyModels.Uniform(random, 3 * Width, 0.6), 3, Width)], ("transB", 1L));
            b.Graph.Node[^1].Output[0] = "side";
            b.Output("side", DataType.Float, "N", 3L);
        }

        h = b.Node("Relu", [b.Node("Gemm", ["embedding", b.Initializer("fc1.weight", TinyModels.Uniform(random, 256, 0.4), 16, 16), b.Initializer("fc1.bias", new float[16], 16)], ("transB", 1L))]);
        b.Node("Gemm", [h, b.Initializer("fc2.weight", TinyModels.Uniform(random, 16, 0.4), 1, 16), b.Initializer("fc2.bias", new float[1], 1)], ("transB", 1L));
        b.Graph.Node[^1].Output[0] = "logit";
        b.Node("Sigmoid", ["logit"]);
        b.Graph.Node[^1].Output[0] = "prob";
        b.Graph.Node[^1].Name = "head";
        b.Output("prob", DataType.Float, "N", 1L);
        return b.Build();
    }

    private static Dictionary<string, float[]> RunOrt(byte[] model, float[] input)
    {
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [input.Length / Width, Width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [value], session.OutputNames);
        return session.OutputNames.Select((name, i) => (name, values: results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.name, p => p.values);
    }
}
