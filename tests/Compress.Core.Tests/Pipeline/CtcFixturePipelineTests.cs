using Compress.Core.Tests.Onnx;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Spec;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// Issue 20 on models as PyTorch exports them: the committed CTC fixtures (a Conv + bidirectional GRU with
/// log_softmax, batch-major, and a dilated TCN with time-major logits, both with a dynamic time axis) are fine-tuned
/// with the CTC loss on the tone alphabet while pruned — unstructured and by channels — exported, checked against
/// ONNX Runtime (CMP6001) and measured by WER on the exported bytes. PyTorch's random initialisation on un-normalised
/// log-mel features stays in CTC's all-blank phase for tens of epochs (measured: 16 epochs at learning rates 0.003–0.03
/// end at a loss of 2.3–2.4 and WER 1.0), so this test asserts that the CTC loss falls, not that the model learns to
/// recognise; <see cref="CtcPipelineTests"/> trains a CRNN until it does.
/// </summary>
public sealed class CtcFixturePipelineTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Vocabulary = "[_, \"|\", " + string.Join(", ", "abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString())) + ", \"'\"]";

    private readonly string _root = Directory.CreateTempSubdirectory("compress-ctc-fixtures-").FullName;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var fixture in ExportedFixtures.ByName.Values.Where(f => f.Task == "ctc"))
        {
            cases.Add(fixture.Name, "magnitude");
            cases.Add(fixture.Name, "channel");
        }

        return cases;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void TheCorpusHasBothCtcLayouts() =>
        Assert.Equal(["batch_time", "time_batch"], ExportedFixtures.ByName.Values.Where(f => f.Task == "ctc").Select(Layout).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_OnTheCtcModelAsExported_FineTunesPrunesExportsAndMeasuresWer(string name, string method)
    {
        var report = Run(name, method, grammar: false);

        Assert.False(report.Reconstruct);
        Assert.Equal(("greedy", "greedy"), (report.Baseline!.Transcription!.Decoder, report.Compressed!.Transcription!.Decoder));
    }

    /// <summary>
    /// <c>ctc.grammar</c> on the time-major export: ONNX Runtime's scores of the dense and the shipped model are decoded
    /// into the corpus's phrases (the most probable one each), so every hypothesis the report lists is one of them.
    /// </summary>
    [Fact]
    public void Run_OnTheTimeMajorExport_WithAGrammar_DecodesEveryClipIntoAPhraseOfIt()
    {
        var report = Run("ctc_tcn_tbv_op13", "magnitude", grammar: true);

        var phrases = File.ReadAllLines(Path.Combine(_root, "grammar.txt")).ToHashSet(StringComparer.Ordinal);
        foreach (var measured in new[] { report.Baseline!.Transcription!, report.Compressed!.Transcription! })
        {
            Assert.Equal($"grammar of {phrases.Count} phrases", measured.Decoder);
            Assert.NotEmpty(measured.Worst);
            Assert.All(measured.Worst, u => Assert.Contains(u.Hypothesis, phrases));
        }
    }

    /// <summary>
    /// <c>pruning.reconstruct</c> on the batch-first CRNN export: its Conv and its GRU's input weights are re-solved
    /// after the cut (the recurrent weights are cut only), the exported bytes run in ONNX Runtime and the CTC loss falls.
    /// </summary>
    [Fact]
    public void Run_OnTheCrnnExport_WithReconstruct_FineTunesPrunesExportsAndMeasuresWer()
    {
        var report = Run("ctc_crnn_op17", "magnitude", grammar: false, reconstruct: true);

        Assert.Equal(0.5, report.TotalSparsity, 2);
        Assert.True(report.Reconstruct);
        Assert.Contains("Method `magnitude` with `reconstruct`", File.ReadAllText(Path.Combine(_root, "out", "report", "report.md")), StringComparison.Ordinal);
    }

    private CompressionReport Run(string name, string method, bool grammar, bool reconstruct = false)
    {
        var fixture = ExportedFixtures.Get(name);
        ToneAlphabet.Write(_root, (240, 30, 40), seed: 7);
        File.Copy(fixture.Path, Path.Combine(_root, "model.onnx"));
        var input = fixture.Inputs.Single(i => i.Role == "data");
        var layout = $"[{string.Join(", ", input.Layout!)}]";
        var spec = Path.Combine(_root, "compress.yaml");
        if (grammar)
        {
            // The phrases the corpus says: each distinct transcript, once.
            File.WriteAllLines(Path.Combine(_root, "grammar.txt"), File.ReadAllLines(Path.Combine(_root, "manifest.csv")).Skip(1).Select(l => l.Split(',')[1]).Distinct().Order(StringComparer.Ordinal));
        }

        File.WriteAllText(spec, $"""
            model:
              path: model.onnx
            data:
              format: manifest
              manifest: manifest.csv
              cache: cache
            task: ctc
            labels: {Vocabulary}
            ctc:
              layout: {Layout(fixture)}
            {(grammar ? "  grammar: grammar.txt" : "")}
            features:
              kind: log_mel
              sample_rate: 16000
              clip_seconds: 1
              window_ms: 30
              hop_ms: 20
              n_fft: 512
              mel_bins: 40
              layout: {layout}
            pruning:
              method: {method}
              target_sparsity: 0.5
            {(reconstruct ? "  reconstruct: true" : "")}
            finetune:
              epochs: 3
              batch_size: 16
              optimizer: adam
              learning_rate: 0.003
            output:
              path: out/model.onnx
              report: out/report
            seed: 1
            threads: 2
            """);
        var parsed = SpecParser.Parse(spec);
        Assert.True(parsed.Spec is not null, string.Join("\n", parsed.Diagnostics));

        var result = new CompressPipeline("test").Run(new PipelineRequest(parsed.Spec!, null, null, null), new Progress<ProgressUpdate>(), CancellationToken.None);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, $"{name} {method}:\n" + string.Join("\n", result.Diagnostics));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(_root, "out", "report", "report.json")))!;
        var (before, after) = (report.Baseline!.Transcription!, report.Compressed!.Transcription!);
        output.WriteLine($"| `{name}` | {method} | {report.TotalSparsity:0.000} | WER {before.Wer:0.000} → {after.Wer:0.000}, CER {before.Cer:0.000} → {after.Cer:0.000} | {report.Sizes!.DenseOnnxBytes:N0} → {report.Sizes.ExportedOnnxBytes:N0} B |");
        output.WriteLine(string.Join(" ", report.Schedule.Select(p => $"{p.Epoch}:{p.Sparsity:0.00}/{p.Loss:0.00}/{p.ValidationMetric:0.00}")));
        Assert.Equal(("ctc", "wer"), (report.Head!.Loss, report.Gate?.Metric ?? "wer"));
        Assert.True(report.TotalSparsity >= (method == "magnitude" ? 0.45 : 0.2), $"sparsity {report.TotalSparsity}");
        var losses = report.Schedule.Select(p => p.Loss).ToList();
        Assert.True(losses[^1] < 0.6 * losses[0], $"the CTC loss did not fall: {string.Join(", ", losses)}");
        Assert.Equal(40, report.Compressed.Count);
        Assert.True(after.Words.Reference > 0 && after.Characters.Reference > after.Words.Reference);
        return report;
    }

    private static string Layout(ExportedFixture fixture) =>
        fixture.Outputs[0].Layout is { } axes && axes.Count > 0 && axes[0] == "time" ? "time_batch" : "batch_time";
}
