using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Reporting;

namespace Compress.Core.Tests.Pipeline;

[Collection(Training.TorchThreadsCollection.Name)]
public sealed class PipelineWarningsTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 4, clipsPerSpeaker: 1);

    /// <summary>A skipped bad file is a warning of the data stage: it reaches the run's diagnostics and report.json, and the model is still written.</summary>
    [Fact]
    public void Run_WarningsOfAStage_ReachTheResultAndTheReport()
    {
        OnnxModelIO.Save(new DsCnn(3, Channels: 8, Blocks: 1, Seed: 3).Build(), Path.Combine(_corpus.Root, "random.onnx"));
        File.WriteAllText(Path.Combine(_corpus.Root, "mid", "broken_nohash_0.wav"), "not a wave file");
        var spec = StageSpecs.Write(_corpus, """
            model:
              path: random.onnx
            finetune:
              epochs: 1
              batch_size: 8
            output:
              path: out/model.onnx
              storage: dense
              report: out/report
            """, data: "  on_bad_file: skip");

        var result = new CompressPipeline("test").Run(StageSpecs.Request(spec), new Progress<ProgressUpdate>(), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Succeeded, result.Outcome);
        var skipped = Assert.Single(result.Diagnostics, d => d.Code == DataMessages.BadFilesSkippedCode);
        Assert.Equal(DiagnosticSeverity.Warning, skipped.Severity);
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.Equal(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).Select(d => d.ToString()), report.Warnings);
        Assert.True(File.Exists(spec.Output.Path));
    }

    public void Dispose() => _corpus.Dispose();
}
