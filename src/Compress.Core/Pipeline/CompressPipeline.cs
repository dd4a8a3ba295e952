using Compress.Diagnostics;

namespace Compress.Pipeline;

/// <summary>
/// The whole job of <c>dotnet compress run</c>, as six stages, each with one job (docs/architecture.md):
/// <see cref="PlanStage"/> (spec → plan, model loaded, pruning options checked), <see cref="DataStage"/> (dataset,
/// fingerprint, cached features), <see cref="BaselineStage"/> (input-model check CMP2110, dense baseline),
/// <see cref="AttemptStage"/> (prune, fine-tune, export, export check CMP6001, measure, gate; a sweep for
/// <c>target_sparsity: max</c>), <see cref="LatencyStage"/> (paired latency of the chosen attempt; CMP6006 for
/// <c>quantize.require_faster</c>) and <see cref="PublishStage"/> (report, then — if the gate passed — model and manifest,
/// atomically). Each stage returns a <see cref="Result{T}"/>; their diagnostics, warnings included, all reach the
/// <see cref="PipelineResult"/>. An error or a failed gate writes no model.
/// </summary>
public sealed class CompressPipeline : IPipelineRunner
{
    /// <summary>How many clips, the first of the test split, the checks of the input model (before training) and of the export run through both runtimes.</summary>
    public const int VerificationClips = VerificationBatch.Clips;

    private readonly string _toolVersion;

    private readonly Func<Evaluation.LatencyFeed, Evaluation.LatencyFeed, int, Evaluation.PairedLatency>? _compareLatency;

    /// <summary>Creates the pipeline; <paramref name="toolVersion"/> is recorded in outputs.</summary>
    public CompressPipeline(string toolVersion) => _toolVersion = toolVersion;

    /// <summary>A pipeline whose latency stage times with <paramref name="compareLatency"/> (tests inject fixed results).</summary>
    internal CompressPipeline(string toolVersion, Func<Evaluation.LatencyFeed, Evaluation.LatencyFeed, int, Evaluation.PairedLatency> compareLatency)
        : this(toolVersion) => _compareLatency = compareLatency;

    /// <inheritdoc />
    public PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var context = new RunContext(progress, cancellationToken);
        try
        {
            if (!context.Accept(PlanStage.Run(request, context), out var run)
                || !context.Accept(DataStage.Run(run.Plan, context, OrtEvaluation.TakesAnyLength(run.Twin.DataInput)), out var data))
            {
                return context.End(PipelineOutcome.Failed);
            }

            using (data)
            {
                run = run.WithTranscripts(data.Dataset.Labels);
                return context.Accept(BaselineStage.Run(run, data, context), out var baseline)
                    && context.Accept(new AttemptStage(_toolVersion).Run(run, data, baseline, context), out var search)
                    && context.Accept(new LatencyStage(_compareLatency).Run(run, data, baseline, search, context), out var latency)
                    ? new PublishStage(_toolVersion).Run(run, data, baseline, search, context, latency)
                    : context.End(PipelineOutcome.Failed);
            }
        }
        catch (CompressException e)
        {
            // Engines deep inside (ONNX loading, audio decoding, training) still throw their diagnostics.
            context.Add(e.Diagnostics);
            return context.End(PipelineOutcome.Failed);
        }
        catch (OperationCanceledException)
        {
            return context.End(PipelineOutcome.Cancelled);
        }
    }
}
