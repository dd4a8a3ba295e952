using Compress.Pipeline;
using Spectre.Console;

namespace Compress.Tool.Rendering;

/// <summary>
/// Live Spectre.Console progress bars: one task per stage (clips for features, epochs for training, batches for
/// evaluation) whose description carries loss, validation metric, sparsity and ETA. Updates may come from any thread.
/// </summary>
internal sealed class SpectreProgress : IProgress<ProgressUpdate>
{
    private readonly ProgressContext _context;
    private readonly Dictionary<PipelineStage, ProgressTask> _tasks = [];
    private readonly Lock _gate = new();

    private SpectreProgress(ProgressContext context) => _context = context;

    /// <summary>Runs <paramref name="work"/> with live bars drawn on <paramref name="output"/>.</summary>
    public static T Run<T>(TextWriter output, Func<IProgress<ProgressUpdate>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Detect,
        });
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var progress = new SpectreProgress(context);
                try
                {
                    return work(progress);
                }
                finally
                {
                    progress.StopAll();
                }
            });
    }

    public void Report(ProgressUpdate value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            if (!_tasks.TryGetValue(value.Stage, out var task))
            {
                foreach (var previous in _tasks.Values.Where(t => !t.IsFinished))
                {
                    previous.Value = previous.MaxValue;
                    previous.StopTask();
                }

                task = _context.AddTask(ProgressText.StageName(value.Stage), maxValue: 1);
                _tasks[value.Stage] = task;
            }

            var (done, total) = value.Epoch is int epoch && value.Epochs is int epochs ? (epoch, epochs) : (value.Done, value.Total);
            if (total is int t && t > 0)
            {
                task.MaxValue = t;
                task.Value = Math.Min(done ?? 0, t);
            }

            task.Description = Markup.Escape(ProgressText.Format(value with { Eta = null }, withStage: false) is { Length: > 0 } text
                ? $"{ProgressText.StageName(value.Stage)}  {text}"
                : ProgressText.StageName(value.Stage));
        }
    }

    // Stops the bars where they are: a failed or cancelled run does not show as complete.
    private void StopAll()
    {
        lock (_gate)
        {
            foreach (var task in _tasks.Values.Where(t => !t.IsFinished))
            {
                task.StopTask();
            }
        }
    }
}
