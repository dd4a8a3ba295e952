using Compress.Pipeline;

namespace Compress.Tool.Tests;

/// <summary>Runs the CLI in-process with string writers.</summary>
internal static class CliHarness
{
    public static (int Exit, string Output, string Error) Run(CliServices services, params string[] args) =>
        Run(services, CancellationToken.None, args);

    public static (int Exit, string Output, string Error) Run(CliServices services, CancellationToken token, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CompressCli.Run(args, output, error, services with { IsInteractive = services.IsInteractive }, token);
        return (exit, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>Services with a runner and plain (non-interactive) progress.</summary>
    public static CliServices With(IPipelineRunner? runner = null, IModelEvaluator? evaluator = null) => new()
    {
        RunnerFactory = runner is null ? null : () => runner,
        EvaluatorFactory = evaluator is null ? null : () => evaluator,
        IsInteractive = static () => false,
    };
}
