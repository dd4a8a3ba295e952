using System.CommandLine;
using Compress.Pipeline;
using Compress.Runtime;
using Compress.Spec.Checks;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary>
/// <c>dotnet compress hash [SPEC]</c>: prints the inputs key (<see cref="RunInputs"/>) — the SHA-256 over the tool
/// version, the spec, the model and every data file that Compress.MSBuild's up-to-date check compares — without
/// training, so CI can key a cache of the compressed output on it (docs/ci.md). Exit 0 or 1.
/// </summary>
public static class HashCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = CommandOptions.SpecArgument();
        var set = CommandOptions.Set();
        var explain = new Option<bool>("--explain") { Description = "Print the text that is hashed (one input per line) instead of the key." };
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("hash", "Print the inputs key of a compress.yaml (spec, model, data, tool version): the cache key that decides whether a build retrains.")
        {
            spec, set, explain, verbosity,
        };
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse.GetValue(spec)!, parse.GetValue(set) ?? [], parse.GetValue(explain), parse.GetValue(verbosity), output, error, ct)));
        return command;
    }

    /// <summary>Computes and prints the key; returns the exit code.</summary>
    public static int Execute(string specPath, string[] overrides, bool explain, Verbosity verbosity, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var spec = CommandOptions.LoadSpec(specPath, overrides, error, verbosity);
        if (spec is null || CommandOptions.Report(error, SpecChecks.CheckPaths(spec), verbosity))
        {
            return CompressCli.Error;
        }

        var version = EnvironmentReport.VersionOf(typeof(CompressCli).Assembly);
        var inputs = RunInputs.Collect(new PipelineRequest(spec, null, null, null), version, cancellationToken);
        if (CommandOptions.Report(error, inputs.Diagnostics, verbosity) || inputs.Value is not { } value)
        {
            return CompressCli.Error;
        }

        output.Write(explain ? value.Explain(version, spec.File) : value.Key + "\n");
        return CompressCli.Success;
    }
}
