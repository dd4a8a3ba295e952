using Compress.Diagnostics;

namespace Compress.Pipeline;

/// <summary>
/// The whole job of <c>dotnet compress run</c>, as five stages, each with one job (docs/architecture.md):
/// <see cref="PlanStage"/> (spec → plan, model loaded, pruning options checked), <see cref="DataStage"/> (dataset,
/// fingerprint, cached features), <see cref="BaselineStage"/> (input-model check CMP2110, dense baseline),
/// <see cref="AttemptStage"/> (prune, fine-tune, export, export check CMP6001, measure, gate; a sweep for
/// <c>target_sparsity: max</c>) and <see cref="PublishStage"/> (report, then — if the gate passed — model and manifest,
/// atomically). Each stage returns a <see cref="Result{T}"/>; their diagnostics, warnings included, all reach the
/// <see cref="PipelineResult"/>. An error or a failed gate writes no model.
/// </summary>
public sealed class CompressPipeline : IPipelineRunner
{
    /// <summary>How many clips, the first of the test split, the checks of the input model (before training) and of the export run through both runtimes.</summary>
    public const int VerificationClips = VerificationBatch.Clips;

    private readonly string _toolVersion;

    /// <summary>Creates the pipeline; <paramref name="toolVersion"/> is recorded in outputs.</summary>
    public CompressPipeline(string toolVersion) => _toolVersion = toolVersion;

    /// <inheritdoc />
    public PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var context = new RunContext(progress, cancellationToken);
        try
        {
            if (!context.Accept(PlanStage.Run(request, context), out var run)
                || !context.Accept(DataStage.Run(run.Plan, context), out var data))
            {
                return context.End(PipelineOutcome.Failed);
            }

            using (data)
            {
                return context.Accept(BaselineStage.Run(run, data, context), out var baseline)
                    && context.Accept(new AttemptStage(_toolVersion).Run(run, data, baseline, context), out var search)
                    ? new PublishStage(_toolVersion).Run(run, data, baseline, search, context)
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
