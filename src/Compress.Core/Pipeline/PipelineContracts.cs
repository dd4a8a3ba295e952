using Compress.Diagnostics;
using Compress.Spec;

namespace Compress.Pipeline;

/// <summary>The stages of a <c>run</c>, in order.</summary>
public enum PipelineStage
{
    /// <summary>Reading the model and indexing the data.</summary>
    Load,

    /// <summary>Computing (or reading cached) front-end features.</summary>
    Features,

    /// <summary>Measuring the dense input model with ONNX Runtime.</summary>
    Baseline,

    /// <summary>Pruning and fine-tuning.</summary>
    Train,

    /// <summary>Writing weights back into the ModelProto and verifying the bytes with ONNX Runtime.</summary>
    Export,

    /// <summary>Measuring the exported model with ONNX Runtime on the test split.</summary>
    Evaluate,

    /// <summary>Checking the gate's thresholds.</summary>
    Gate,

    /// <summary>Writing report.json, report.md and the plots.</summary>
    Report,
}

/// <summary>
/// One progress event. <see cref="Done"/>/<see cref="Total"/> count work items of the stage (clips, batches);
/// <see cref="Epoch"/> is 1-based of <see cref="Epochs"/>; <see cref="Loss"/> is the mean training loss so far in
/// the epoch; <see cref="Metric"/> the latest validation metric (fraction); <see cref="Sparsity"/> the current
/// fraction of prunable weights that are zero; <see cref="Eta"/> the estimated time left in the stage.
/// </summary>
public sealed record ProgressUpdate(
    PipelineStage Stage,
    string Message,
    int? Done = null,
    int? Total = null,
    int? Epoch = null,
    int? Epochs = null,
    double? Loss = null,
    double? Metric = null,
    double? Sparsity = null,
    TimeSpan? Eta = null)
{
    /// <summary>
    /// A training step as progress: <see cref="Eta"/> extrapolates the elapsed time per step over the steps left
    /// in all epochs (none before the first step).
    /// </summary>
    public static ProgressUpdate Training(Training.TrainingProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var done = ((p.Epoch - 1) * (long)p.Steps) + p.Step;
        var left = ((long)p.Epochs * p.Steps) - done;
        TimeSpan? eta = p.Step > 0 ? TimeSpan.FromTicks(p.Elapsed.Ticks / Math.Max(1, done) * left) : null;
        return new ProgressUpdate(PipelineStage.Train, "training", p.Step, p.Steps, p.Epoch, p.Epochs, p.Loss, p.ValidationMetric, p.Sparsity, eta);
    }
}

/// <summary>
/// What to run: the parsed spec, plus the command line's overrides of where things go (null = the spec's
/// <c>output.path</c> / <c>output.report</c>; <see cref="ManifestPath"/>: where to write a JSON list of every
/// file written, null = none). Paths are absolute, and the caller has checked that the spec's inputs exist
/// (<c>SpecChecks.CheckPaths</c>, CMP1012 at the spec's key); the pipeline does not check again.
/// </summary>
public sealed record PipelineRequest(CompressSpec Spec, string? OutputPath, string? ReportFolder, string? ManifestPath);

/// <summary>How a run ended.</summary>
public enum PipelineOutcome
{
    /// <summary>The gate passed (or there is none); the model and report were written.</summary>
    Succeeded,

    /// <summary>An error stopped the run; no model was written.</summary>
    Failed,

    /// <summary>The gate failed; the report was written, the model was not.</summary>
    GateFailed,

    /// <summary>Cancellation was requested; nothing partial was left behind.</summary>
    Cancelled,
}

/// <summary>
/// The end of a run: <see cref="Diagnostics"/> holds every error and warning (gate failures as CMP5xxx at the
/// spec's <c>gate:</c> line); <see cref="OutputPath"/> is the written model when <see cref="Outcome"/> is
/// <see cref="PipelineOutcome.Succeeded"/>.
/// </summary>
public sealed record PipelineResult(PipelineOutcome Outcome, IReadOnlyList<Diagnostic> Diagnostics, string? OutputPath = null);

/// <summary>
/// Runs the whole pipeline for one spec. Reports progress through <c>progress</c> (synchronously, from the
/// running thread), never writes to the console, and honours <c>cancellationToken</c> by returning
/// <see cref="PipelineOutcome.Cancelled"/> with no partial output.
/// </summary>
public interface IPipelineRunner
{
    /// <summary>Runs <paramref name="request"/>.</summary>
    PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken);
}

/// <summary>
/// <c>dotnet compress eval</c>: measures a model with ONNX Runtime on the spec's test split. Returns the measurement
/// with every diagnostic (errors instead of a value when it cannot); the caller renders it. Honours
/// <c>ct</c> by throwing <see cref="OperationCanceledException"/>.
/// </summary>
public interface IModelEvaluator
{
    /// <summary>Evaluates the model at <paramref name="modelPath"/> (absolute).</summary>
    Result<ModelEvaluation> Evaluate(string modelPath, CompressSpec spec, CancellationToken ct);
}

/// <summary>What <c>eval</c> measured: the model file, its size as stored (compressed or not) and the measurement.</summary>
/// <param name="StoredBytes">The file's size in bytes.</param>
public sealed record ModelEvaluation(string ModelPath, long StoredBytes, Evaluation.OrtMeasurement Measurement);
