using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.IO;
using Compress.Reporting;

namespace Compress.Pipeline;

/// <summary>
/// Stage 5, <b>publish</b>: compresses the chosen bytes for embedding and checks they decode back (CMP6002), writes
/// the report (always, warnings included), and only when the gate passed the model and the manifest — each file
/// atomically. A failed gate is the gate's CMP5xxx errors and no model. The manifest comes last: it vouches for the
/// model written before it, so a write that fails (and throws) leaves no new manifest.
/// </summary>
/// <param name="compress">Compresses the measured bytes for embedding (default <see cref="EmbeddedCompressor.Compress"/>); tests inject a faulty one.</param>
internal sealed class PublishStage(string toolVersion, Func<byte[], EmbeddedCompression, EmbeddedFilter, byte[]>? compress = null)
{
    private readonly Func<byte[], EmbeddedCompression, EmbeddedFilter, byte[]> _compress = compress ?? ((bytes, compression, filter) => EmbeddedCompressor.Compress(bytes, compression, filter));

    public PipelineResult Run(PlannedRun run, PreparedData data, Baseline baseline, AttemptSearch search, RunContext context, LatencyFindings? latency = null)
    {
        var plan = run.Plan;
        var chosen = search.Chosen;
        var embedded = _compress(chosen.Bytes, plan.Compression, plan.Filter);
        if (!EmbeddedCompressor.Decompress(embedded, plan.Compression).AsSpan().SequenceEqual(chosen.Bytes))
        {
            context.Add([ExportMessages.EmbeddingMismatch(plan.OutputPath)]);
            return context.End(PipelineOutcome.Failed);
        }

        if (plan.ReportFolder is not null)
        {
            context.Report(PipelineStage.Report, $"writing the report to {plan.ReportFolder}");
            ReportWriter.Write(RunReport.Build(toolVersion, run, data, baseline, search, embedded.Length, context.Timings, context.Warnings, latency), plan.ReportFolder);
        }

        if (!chosen.Gate.Passed)
        {
            context.Add(chosen.Gate.Failures);
            return context.End(PipelineOutcome.GateFailed);
        }

        AtomicFile.WriteAllBytes(plan.OutputPath, embedded);
        if (plan.ManifestPath is not null)
        {
            Manifest(run, data, chosen, embedded).Write(plan.ManifestPath);
        }

        context.Report(PipelineStage.Report,
            $"wrote {plan.OutputPath}: {embedded.Length} bytes ({100.0 * embedded.Length / baseline.DenseBytes:0.0}% of the dense model), {plan.Gate.Metric.Name} {chosen.Value:0.0000} (baseline {baseline.Value:0.0000}), sparsity {chosen.Result.TotalSparsity:0.000}");
        return context.End(PipelineOutcome.Succeeded, plan.OutputPath);
    }

    /// <summary>The shipped operating point; a threshold of −∞ (every negative may be accepted) is written as 0, which every probability reaches.</summary>
    internal static ManifestWakeWord WakeWord(FalseRejectRateMetric metric, OrtMeasurement measurement)
    {
        var point = metric.OperatingPoint(measurement);
        var index = metric.PositiveIndex(measurement);
        return new ManifestWakeWord(measurement.Metrics.Labels[index], index, metric.FaPerHour, RunReport.Probability(point.Threshold), Math.Round(point.FalseRejectRate, 6));
    }

    private RunManifest Manifest(PlannedRun run, PreparedData data, Attempt chosen, byte[] embedded)
    {
        var plan = run.Plan;
        // The shipped file's own inputs and outputs: the one the features go to (not a state input such as h0) and the
        // one that was measured (model.output), which is what the app reads.
        var input = chosen.Shipped.Graph.Input.FirstOrDefault(i => i.Name == run.Twin.DataInput.Name) ?? OrtEvaluation.DataInput(chosen.Shipped);
        var inputs = RunInputs.Of(run, data.Fingerprint, toolVersion);
        return new RunManifest
        {
            ToolVersion = toolVersion,
            Output = Path.GetFullPath(plan.OutputPath),
            Compression = plan.Compression.ToString().ToLowerInvariant(),
            Filter = plan.Filter.ToString().ToLowerInvariant(),
            Labels = run.OutputLabels,
            SampleRate = plan.FrontEnd.SampleRate,
            InputName = input.Name,
            InputShape = input.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1L).ToList() ?? [],
            OutputName = run.Head.Output,
            Inputs = inputs.Files.Select(f => new ManifestInput(f.Key, f.Value)).ToList(),
            InputsKey = inputs.Key,
            Sha256 = RunManifest.Hash(embedded),
            WakeWord = plan.WakeWord is { } wake ? WakeWord(wake, chosen.Measurement) : null,
            SessionConfig = ModelMetadata.SessionConfigOf(chosen.Shipped) is { Count: > 0 } config ? config : null,
        };
    }
}
