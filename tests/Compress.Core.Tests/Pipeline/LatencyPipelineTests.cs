using System.Text.Json;
using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Reporting;
using Compress.Spec;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// The paired latency in a whole run: the report's <c>latency</c> objects and row, and <c>quantize.require_faster</c>.
/// The verdict tests inject the comparison's result (a machine's speed is no unit test's business: bench/ measures it);
/// the report test times for real and asserts only the bookkeeping.
/// </summary>
[Collection(Training.TorchThreadsCollection.Name)]
public sealed class LatencyPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 4, clipsPerSpeaker: 1);


    [Fact]
    public void Run_RequireFaster_Int8NotFaster_IsCmp6006AtTheKey_AndWritesNothing()
    {
        var spec = Spec("quantize:\n  weights: int8\n  require_faster: true");

        var result = Run(spec, Fixed(ratio: 1.25, referenceMs: 0.2, candidateMs: 0.25));

        Assert.Equal(PipelineOutcome.Failed, result.Outcome);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(ExportMessages.Int8NotFasterCode, error.Code);
        Assert.Equal(spec.Quantize.RequireFasterLocation, new SpecLocation(error.File!, error.Line, error.Column));
        Assert.Contains("median ONNX Runtime latency int8/float ratio 1.250 is not below 1.0 (int8 0.2500 ms, float 0.2000 ms per clip", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(spec.Output.Path));
        Assert.False(Directory.Exists(spec.Output.Report));
        Assert.False(File.Exists(Manifest));
        Assert.Empty(Directory.Exists(Out) ? Directory.GetFiles(Out, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void Run_Int8NotFaster_WithoutRequireFaster_WarnsCmp6007_WritesTheModel_AndReportsBothComparisons()
    {
        var spec = Spec("quantize:\n  weights: int8");

        var result = Run(spec, Fixed(ratio: 1.25, referenceMs: 0.2, candidateMs: 0.25));

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var warning = Assert.Single(result.Diagnostics, d => d.Code == ExportMessages.Int8SlowerCode);
        Assert.False(warning.IsError);
        Assert.Equal(spec.Quantize.Location, new SpecLocation(warning.File!, warning.Line, warning.Column));
        Assert.Contains("int8/float ratio 1.250", warning.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(spec.Output.Path));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        Assert.Equal(new LatencyRecord("float", "int8", 0.2, 0.25, 1.25, 1.1, 1.4, 1.2, 1.3, 3, 1, 1), report.QuantizationLatency);
        Assert.Equal(new LatencyRecord("dense", "compressed", 0.2, 0.25, 1.25, 1.1, 1.4, 1.2, 1.3, 3, 1, 1), report.Latency);
        Assert.Contains(report.Warnings, w => w.Contains(ExportMessages.Int8SlowerCode, StringComparison.Ordinal));
        var md = File.ReadAllText(Path.Combine(spec.Output.Report, "report.md"));
        Assert.Contains("| ONNX Runtime ms per clip (paired, 1 thread) | 0.2000 | 0.2500 | 1.250× (quartiles 1.200–1.300 of 3 rounds) |", md, StringComparison.Ordinal);
        Assert.Contains("int8/float **1.250×**", md, StringComparison.Ordinal);
        Assert.Contains("**int8 is not faster** than the float export", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RequireFaster_Int8Faster_Succeeds_WithoutLatencyDiagnostics()
    {
        var spec = Spec("quantize:\n  weights: int8\n  require_faster: true");

        var result = Run(spec, Fixed(ratio: 0.8, referenceMs: 0.25, candidateMs: 0.2));

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => d.Code is ExportMessages.Int8NotFasterCode or ExportMessages.Int8SlowerCode);
        Assert.True(File.Exists(spec.Output.Path));
    }

    [Fact]
    public void Run_TimesDenseAgainstCompressed_InAlternation_AndTheReportRecordsIt()
    {
        var spec = Spec("");

        var result = new CompressPipeline("test").Run(new PipelineRequest(spec, null, null, null), new Progress<ProgressUpdate>(), CancellationToken.None);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")));
        var latency = json.RootElement.GetProperty("latency");
        Assert.Equal("dense", latency.GetProperty("reference").GetString());
        Assert.Equal("compressed", latency.GetProperty("candidate").GetString());
        Assert.Equal(LatencyComparison.DefaultRounds, latency.GetProperty("rounds").GetInt32());
        Assert.Equal(1, latency.GetProperty("threads").GetInt32());
        Assert.Equal(1, latency.GetProperty("batch").GetInt32());
        Assert.True(latency.GetProperty("reference_ms_per_clip").GetDouble() > 0);
        Assert.True(latency.GetProperty("candidate_ms_per_clip").GetDouble() > 0);
        var ratio = latency.GetProperty("ratio").GetDouble();
        Assert.InRange(ratio, latency.GetProperty("ratio_min").GetDouble(), latency.GetProperty("ratio_max").GetDouble());
        Assert.InRange(ratio, latency.GetProperty("ratio_p25").GetDouble(), latency.GetProperty("ratio_p75").GetDouble());
        var batched = json.RootElement.GetProperty("latency_batched");
        Assert.Equal(LatencyStage.BatchedRounds, batched.GetProperty("rounds").GetInt32());
        Assert.True(batched.GetProperty("batch").GetInt32() > 1);
        Assert.False(json.RootElement.TryGetProperty("quantization_latency", out _));
        Assert.Contains("| ONNX Runtime ms per clip (paired, 1 thread) |", File.ReadAllText(Path.Combine(spec.Output.Report, "report.md")), StringComparison.Ordinal);
        Assert.DoesNotContain("(batched) |", File.ReadAllText(Path.Combine(spec.Output.Report, "report.md")), StringComparison.Ordinal);
        output.WriteLine(latency.ToString());
        output.WriteLine(batched.ToString());
    }

    [Fact]
    public void Run_Int8_TimesTheFloatExportAgainstTheInt8File()
    {
        var spec = Spec("quantize:\n  weights: int8");

        var result = new CompressPipeline("test").Run(new PipelineRequest(spec, null, null, null), new Progress<ProgressUpdate>(), CancellationToken.None);

        Assert.True(result.Outcome == PipelineOutcome.Succeeded, string.Join("\n", result.Diagnostics));
        var report = ReportWriter.FromJson(File.ReadAllText(Path.Combine(spec.Output.Report, "report.json")))!;
        var q = Assert.IsType<LatencyRecord>(report.QuantizationLatency);
        Assert.Equal(("float", "int8", LatencyComparison.DefaultRounds, 1, 1), (q.Reference, q.Candidate, q.Rounds, q.Threads, q.Batch));
        Assert.True(q.ReferenceMsPerClip > 0 && q.CandidateMsPerClip > 0);
        // Whichever way it goes on this machine, the verdict and the warning agree.
        Assert.Equal(q.Ratio >= 1, result.Diagnostics.Any(d => d.Code == ExportMessages.Int8SlowerCode));
        output.WriteLine(q.ToString());
        output.WriteLine(string.Join("\n", result.Diagnostics));
    }

    private string Out => Path.Combine(_corpus.Root, "out");

    private string Manifest => Path.Combine(Out, "kws.manifest.json");

    /// <summary>A spec compressing a random 8-channel DS-CNN (written next to it) by half, with <paramref name="quantize"/>.</summary>
    private CompressSpec Spec(string quantize)
    {
        OnnxModelIO.Save(new DsCnn(3, Channels: 8, Blocks: 1, Seed: 3).Build(), Path.Combine(_corpus.Root, "random.onnx"));
        return StageSpecs.Write(_corpus, $"""
        model:
          path: random.onnx
        pruning:
          method: magnitude
          target_sparsity: 0.5
        finetune:
          epochs: 1
          batch_size: 4
        gate:
          metric: accuracy
          min: 0
        output:
          path: out/kws.onnx
          report: out/kws.report
        {quantize}
        """);
    }

    private PipelineResult Run(CompressSpec spec, Func<LatencyFeed, LatencyFeed, int, PairedLatency> compare) =>
        new CompressPipeline("test", compare).Run(new PipelineRequest(spec, null, null, Manifest), new Progress<ProgressUpdate>(), CancellationToken.None);

    /// <summary>A comparison that returns these numbers whatever it is given (three rounds, the candidate first in the middle one).</summary>
    private static Func<LatencyFeed, LatencyFeed, int, PairedLatency> Fixed(double ratio, double referenceMs, double candidateMs) => (reference, candidate, _) =>
    {
        Assert.Equal(reference.Batch, candidate.Batch);
        return new PairedLatency(referenceMs, candidateMs, ratio, 1.1, 1.4, 1.2, 1.3, 1, reference.Batch == 1 ? 1 : reference.Batch, [new(1, 1, false), new(1, 1, true), new(1, 1, false)]);
    };

    public void Dispose() => _corpus.Dispose();
}
