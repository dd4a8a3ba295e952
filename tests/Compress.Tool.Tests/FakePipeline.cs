using Compress.Diagnostics;
using Compress.Pipeline;
using Compress.Spec;

namespace Compress.Tool.Tests;

/// <summary>A scripted runner: reports a fixed sequence of progress updates, then does what the test says.</summary>
internal sealed class FakeRunner(Func<PipelineRequest, CancellationToken, PipelineResult> finish) : IPipelineRunner
{
    public static readonly ProgressUpdate[] Updates =
    [
        new(PipelineStage.Load, "model.onnx"),
        new(PipelineStage.Features, "", Done: 1, Total: 5),
        new(PipelineStage.Features, "", Done: 5, Total: 5),
        new(PipelineStage.Train, "", Done: 1, Total: 3, Epoch: 1, Epochs: 2, Loss: 0.9),
        new(PipelineStage.Train, "", Done: 2, Total: 3, Epoch: 1, Epochs: 2, Loss: 0.8),
        new(PipelineStage.Train, "", Done: 1, Total: 3, Epoch: 2, Epochs: 2, Loss: 0.5, Metric: 0.875, Sparsity: 0.4, Eta: TimeSpan.FromSeconds(70)),
        new(PipelineStage.Train, "libtorch oneDNN was on for fine-tuning (0.4 s)"),
        new(PipelineStage.Export, "kws.onnx"),
    ];

    public List<PipelineRequest> Requests { get; } = [];

    public PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        foreach (var update in Updates)
        {
            progress.Report(update);
        }

        return finish(request, cancellationToken);
    }
}

/// <summary>
/// A real runner whose progress is watched: when <paramref name="stage"/> is reported, <paramref name="cancel"/> is
/// cancelled, as Ctrl+C at that moment would, and the runner carries on with whatever it does next.
/// </summary>
internal sealed class CancelAtStage(IPipelineRunner inner, PipelineStage stage, CancellationTokenSource cancel) : IPipelineRunner
{
    public List<PipelineStage> Stages { get; } = [];

    public PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken) =>
        inner.Run(request, new Watch(progress, Saw), cancellationToken);

    private void Saw(ProgressUpdate update)
    {
        Stages.Add(update.Stage);
        if (update.Stage == stage)
        {
            cancel.Cancel();
        }
    }

    private sealed class Watch(IProgress<ProgressUpdate> progress, Action<ProgressUpdate> saw) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value)
        {
            progress.Report(value);
            saw(value);
        }
    }
}

/// <summary>An evaluator that records its call and returns a fixed result.</summary>
internal sealed class FakeEvaluator(Result<ModelEvaluation> result) : IModelEvaluator
{
    public List<(string Model, CompressSpec Spec)> Calls { get; } = [];

    /// <summary>A result with one warning and no value: the run failed.</summary>
    public static Result<ModelEvaluation> Failed(params Diagnostic[] diagnostics) => Result<ModelEvaluation>.Fail(diagnostics);

    public Result<ModelEvaluation> Evaluate(string modelPath, CompressSpec spec, CancellationToken ct)
    {
        Calls.Add((modelPath, spec));
        return result;
    }
}
