using Compress.Pipeline;

namespace Compress.Tool;

/// <summary>
/// What the commands need from outside the CLI: the pipeline runner for <c>run</c>, the evaluator for
/// <c>eval</c>, and whether progress may be drawn as live bars. Tests pass fakes; <c>Program.cs</c> passes
/// <see cref="Default"/>, which the composition root sets to the real implementations.
/// </summary>
public sealed record CliServices
{
    /// <summary>The services <c>Program.cs</c> uses (settable once at start-up by the composition root).</summary>
    public static CliServices Default { get; set; } = new();

    /// <summary>Makes the runner for <c>run</c>; null = this build has none (CMP1018).</summary>
    public Func<IPipelineRunner>? RunnerFactory { get; init; }

    /// <summary>Makes the evaluator for <c>eval</c>; null = this build has none (CMP1018).</summary>
    public Func<IModelEvaluator>? EvaluatorFactory { get; init; }

    /// <summary>
    /// True when progress may be drawn as Spectre.Console bars: standard output is a terminal and <c>CI</c> is
    /// unset. Otherwise (and with <c>--no-progress</c>) progress is plain lines, one per stage and epoch.
    /// </summary>
    public Func<bool> IsInteractive { get; init; } = static () =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
