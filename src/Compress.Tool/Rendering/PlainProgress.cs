using Compress.Pipeline;

namespace Compress.Tool.Rendering;

/// <summary>
/// Line-by-line progress for logs and CI: one line when a stage starts, when an epoch changes, when a stage's
/// work completes (<c>Done == Total</c>) and for a note (a message without a count or an epoch, e.g. the oneDNN
/// decision after training); at <see cref="Verbosity.Detailed"/> every update. Thread-safe; writes
/// synchronously so lines stay in order.
/// </summary>
internal sealed class PlainProgress(TextWriter output, Verbosity verbosity) : IProgress<ProgressUpdate>
{
    private readonly Lock _gate = new();
    private PipelineStage? _stage;
    private int? _epoch;

    public void Report(ProgressUpdate value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            var newStage = value.Stage != _stage;
            var newEpoch = value.Epoch is not null && value.Epoch != _epoch;
            var finished = value.Total is int total && value.Done == total;
            var note = value.Total is null && value.Epoch is null && value.Message.Length > 0;
            _stage = value.Stage;
            _epoch = newStage ? value.Epoch : value.Epoch ?? _epoch;
            if (verbosity >= Verbosity.Detailed || newStage || newEpoch || finished || note)
            {
                output.WriteLine(ProgressText.Format(value));
            }
        }
    }
}
