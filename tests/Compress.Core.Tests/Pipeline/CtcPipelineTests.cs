using Compress.Onnx;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Spec;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// <c>task: ctc</c> end to end on a learnable tone alphabet (<see cref="ToneAlphabet"/>): Compress trains a random CTC
/// model (<c>pruning.method: none</c>, features in, as the sample's baselines are made), then compresses it at 50% with
/// a WER gate; ONNX Runtime measures the exported bytes, PCM in, through the prepended front end.
/// </summary>
public sealed class CtcPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-ctc-").FullName;

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
    public void Run_TrainsACtcModel_ThenPrunesIt_AndTheWerGateMeasuresTheExportedBytes()
    {
        ToneAlphabet.Write(_root, (480, 40, 60), seed: 3);
        OnnxModelIO.Save(ToneAlphabet.Model(seed: 5), Path.Combine(_root, "random.onnx"));

        var dense = Run("dense", "random.onnx", "pruning:\n  method: none", epochs: 8, gate: "max: 0.2", prepend: false);
        Assert.True(dense.Outcome == PipelineOutcome.Succeeded, string.Join("\n", dense.Diagnostics));
        var trained = Report("dense");
        output.WriteLine($"dense: WER {trained.Compressed!.Transcription!.Wer:0.000}, CER {trained.Compressed.Transcription.Cer:0.000}; worst: {string.Join("; ", trained.Compressed.Transcription.Worst.Select(u => $"{u.Reference} => {u.Hypothesis}"))}");

        var pruned = Run("pruned", "dense/model.onnx", "pruning:\n  method: magnitude\n  target_sparsity: 0.5", epochs: 4, gate: "max_increase: 0.1");
        Assert.True(pruned.Outcome == PipelineOutcome.Succeeded, string.Join("\n", pruned.Diagnostics));

        var report = Report("pruned");
        var (baseline, compressed) = (report.Baseline!.Transcription!, report.Compressed!.Transcription!);
        output.WriteLine($"pruned: WER {baseline.Wer:0.000} -> {compressed.Wer:0.000}, CER {baseline.Cer:0.000} -> {compressed.Cer:0.000}, sparsity {report.TotalSparsity:0.000}");
        Assert.Equal(("ctc", "wer"), (report.Head!.Loss, report.Gate!.Metric));
        Assert.Equal(compressed.Wer - baseline.Wer, report.Gate.Paired!.Difference, 5);
        Assert.Equal(trained.Compressed.Transcription.Wer, baseline.Wer, 9); // the baseline is the trained model, measured the same way
        Assert.True(compressed.Wer <= baseline.Wer + 0.1, $"WER {compressed.Wer} against {baseline.Wer}");
        Assert.InRange(report.TotalSparsity, 0.49, 0.51);
        Assert.Equal(60, compressed.Words.Reference > 0 ? report.Compressed.Count : 0);
        Assert.Empty(report.Compressed.PerClass);
        var markdown = File.ReadAllText(Path.Combine(_root, "pruned", "report", "report.md"));
        Assert.Contains("| WER |", markdown, StringComparison.Ordinal);

        // The model says what its output's last axis holds: the tokens, not the transcripts (what the app's accessor lists).
        var metadata = OnnxModelIO.Load(Path.Combine(_root, "pruned", "model.onnx")).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("[\"_\",\"|\",\"a\",\"b\",\"c\",\"d\"]", metadata["compress.labels"]);

        // `dotnet compress eval` on the exported (PCM-input) file measures what the gate measured.
        var evaluated = new ModelEvaluator().Evaluate(Path.Combine(_root, "pruned", "model.onnx"), SpecParser.Parse(Path.Combine(_root, "pruned.yaml")).Spec!, CancellationToken.None);
        var transcription = evaluated.Value!.Measurement.Transcription!;
        Assert.Equal((compressed.Wer, compressed.Cer, compressed.Words.Reference), (transcription.Wer, transcription.Cer, transcription.Words.Reference));
    }

    [Fact]
    public void Run_WithATranscriptTheModelCannotSpell_FailsWithCmp3109AtTheManifestLine()
    {
        ToneAlphabet.Write(_root, (4, 2, 2), seed: 3);
        File.AppendAllLines(Path.Combine(_root, "manifest.csv"), ["clips/train-0000.wav,a e,train"]);
        OnnxModelIO.Save(ToneAlphabet.Model(seed: 5), Path.Combine(_root, "random.onnx"));

        var result = Run("bad", "random.onnx", "pruning:\n  method: none", epochs: 1, gate: "max: 1");

        Assert.Equal(PipelineOutcome.Failed, result.Outcome);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(("CMP3109", Path.Combine(_root, "manifest.csv"), 10), (d.Code, d.File, d.Line));
        Assert.False(File.Exists(Path.Combine(_root, "bad", "model.onnx")));
    }

    private PipelineResult Run(string name, string model, string pruning, int epochs, string gate, bool prepend = true)
    {
        var path = Path.Combine(_root, $"{name}.yaml");
        File.WriteAllText(path, $"""
            model: {model}
            data:
              format: manifest
              manifest: manifest.csv
              cache: cache
            task: ctc
            labels: {ToneAlphabet.Labels}
            features:
              kind: log_mel
              sample_rate: 16000
              clip_seconds: 1
              window_ms: 30
              hop_ms: 20
              n_fft: 512
              mel_bins: 40
              prepend: {(prepend ? "true" : "false")}
            {pruning}
            finetune:
              epochs: {epochs}
              batch_size: 16
              optimizer: adam
              learning_rate: 0.01
            gate:
              metric: wer
              {gate}
            output:
              path: {name}/model.onnx
              report: {name}/report
            seed: 1
            threads: 2
            """);
        var parsed = SpecParser.Parse(path);
        Assert.True(parsed.Spec is not null, string.Join("\n", parsed.Diagnostics));
        return new CompressPipeline("test").Run(new PipelineRequest(parsed.Spec!, null, null, null), new Progress<ProgressUpdate>(), CancellationToken.None);
    }

    private CompressionReport Report(string name) =>
        ReportWriter.FromJson(File.ReadAllText(Path.Combine(_root, name, "report", "report.json")))!;
}
