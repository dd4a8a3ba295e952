using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Compress.Diagnostics;
using Compress.Reporting;

namespace Compress.Pipeline;

/// <summary>
/// What the stages of one run share: the progress sink, the cancellation token, every diagnostic the stages have
/// returned so far (in order) and the wall-clock time of each finished stage.
/// </summary>
internal sealed class RunContext(IProgress<ProgressUpdate> progress, CancellationToken cancellation)
{
    private readonly List<Diagnostic> _diagnostics = [];
    private readonly List<StageTiming> _timings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IProgress<ProgressUpdate> Progress { get; } = progress;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Every diagnostic so far.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    /// <summary>The warnings so far (what the report lists).</summary>
    public IReadOnlyList<Diagnostic> Warnings => [.. _diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning)];

    /// <summary>Seconds per finished stage, in order.</summary>
    public IReadOnlyList<StageTiming> Timings => _timings;

    /// <summary>Reports a progress message.</summary>
    public void Report(PipelineStage stage, string message) => Progress.Report(new ProgressUpdate(stage, message));

    /// <summary>Records <paramref name="name"/> as having taken the time since the previous stage ended.</summary>
    public void StageDone(string name)
    {
        _timings.Add(new StageTiming(name, Math.Round(_clock.Elapsed.TotalSeconds, 3)));
        _clock.Restart();
    }

    /// <summary>Keeps <paramref name="result"/>'s diagnostics; true with the value unless it failed.</summary>
    public bool Accept<T>(Result<T> result, [NotNullWhen(true)] out T? value)
        where T : class
    {
        _diagnostics.AddRange(result.Diagnostics);
        value = result.Value;
        return value is not null;
    }

    /// <summary>Keeps <paramref name="diagnostics"/>.</summary>
    public void Add(IEnumerable<Diagnostic> diagnostics) => _diagnostics.AddRange(diagnostics);

    /// <summary>The run's end with <paramref name="outcome"/> and every diagnostic so far.</summary>
    public PipelineResult End(PipelineOutcome outcome, string? outputPath = null) => new(outcome, [.. _diagnostics], outputPath);
}
