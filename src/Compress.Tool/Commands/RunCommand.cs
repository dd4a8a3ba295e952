using System.CommandLine;
using Compress.Diagnostics;
using Compress.Pipeline;
using Compress.Spec.Checks;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary><c>dotnet compress run [SPEC]</c>: the whole pipeline. Exit 0 written, 1 error, 2 gate failed, 130 cancelled.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error, CliServices services)
    {
        var spec = CommandOptions.SpecArgument();
        var outputPath = new Option<string?>("--output", "-o") { Description = "Write the compressed model here instead of output.path." };
        var report = new Option<string?>("--report") { Description = "Write the report into this folder instead of output.report." };
        var manifest = new Option<string?>("--manifest") { Description = "Write a JSON list of every file written here." };
        var noProgress = new Option<bool>("--no-progress") { Description = "Plain line-by-line progress even on a terminal." };
        var set = CommandOptions.Set();
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("run", "Prune and fine-tune the model of a compress.yaml, check the gate with ONNX Runtime, and write the model and report.")
        {
            spec, outputPath, report, manifest, noProgress, set, verbosity,
        };
        command.SetAction((parse, ct) => Task.FromResult(Execute(
            new RunArguments(parse.GetValue(spec)!, parse.GetValue(outputPath), parse.GetValue(report), parse.GetValue(manifest), parse.GetValue(noProgress), parse.GetValue(set) ?? [], parse.GetValue(verbosity)),
            output, error, services, ct)));
        return command;
    }

    /// <summary>Runs the pipeline for <paramref name="arguments"/>; returns the exit code.</summary>
    public static int Execute(RunArguments arguments, TextWriter output, TextWriter error, CliServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(services);
        var verbosity = arguments.Verbosity;
        var spec = CommandOptions.LoadSpec(arguments.Spec, arguments.Overrides, error, verbosity);
        if (spec is null || CommandOptions.Report(error, SpecChecks.CheckPaths(spec), verbosity))
        {
            return CompressCli.Error;
        }

        if (services.RunnerFactory is null)
        {
            CommandOptions.Report(error, [SpecMessages.NotAvailable("pipeline runner")], verbosity);
            return CompressCli.Error;
        }

        var request = new PipelineRequest(spec, CommandOptions.Full(arguments.Output), CommandOptions.Full(arguments.Report), CommandOptions.Full(arguments.Manifest));
        PipelineResult result;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var runner = services.RunnerFactory();
            result = verbosity < Verbosity.Normal
                ? runner.Run(request, new Progress<ProgressUpdate>(), cancellationToken)
                : !arguments.NoProgress && services.IsInteractive()
                    ? SpectreProgress.Run(output, progress => runner.Run(request, progress, cancellationToken))
                    : runner.Run(request, new PlainProgress(output, verbosity), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = new PipelineResult(PipelineOutcome.Cancelled, []);
        }
        catch (CompressException e)
        {
            result = new PipelineResult(PipelineOutcome.Failed, e.Diagnostics);
        }

        DiagnosticPrinter.Print(error, result.Diagnostics, verbosity);
        switch (result.Outcome)
        {
            case PipelineOutcome.Succeeded:
                if (verbosity >= Verbosity.Minimal)
                {
                    output.WriteLine($"wrote {result.OutputPath ?? request.OutputPath ?? spec.Output.Path}");
                }

                return CompressCli.Success;
            case PipelineOutcome.GateFailed:
                if (verbosity >= Verbosity.Minimal)
                {
                    output.WriteLine("the accuracy gate failed; the report was written, the model was not");
                }

                return CompressCli.GateFailed;
            case PipelineOutcome.Cancelled:
                error.WriteLine("compress: cancelled; nothing was written");
                return CommandOptions.Cancelled;
            default:
                return CompressCli.Error;
        }
    }
}

/// <summary>The arguments of <c>run</c> (paths as typed; relative ones resolve against the current directory).</summary>
public sealed record RunArguments(string Spec, string? Output, string? Report, string? Manifest, bool NoProgress, string[] Overrides, Verbosity Verbosity);
