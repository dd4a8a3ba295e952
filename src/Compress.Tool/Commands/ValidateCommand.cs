using System.CommandLine;
using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Spec.Checks;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary>
/// <c>dotnet compress validate [SPEC]</c>: the spec, the model (readable, every operator supported, inputs and
/// outputs fit), the pruning options against the model's prunable weights (the checks <c>run</c> makes before
/// training: CMP4002/CMP4003) and the data (counts per label and split) — no training, in seconds. Exit 0 or 1.
/// </summary>
public static class ValidateCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = CommandOptions.SpecArgument();
        var set = CommandOptions.Set();
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("validate", "Check a compress.yaml, its model's operator coverage and its data, without training.") { spec, set, verbosity };
        command.SetAction(parse => Execute(parse.GetValue(spec)!, parse.GetValue(set) ?? [], parse.GetValue(verbosity), output, error));
        return command;
    }

    /// <summary>Validates; returns the exit code.</summary>
    public static int Execute(string specPath, string[] overrides, Verbosity verbosity, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        var spec = CommandOptions.LoadSpec(specPath, overrides, error, verbosity);
        if (spec is null)
        {
            return CompressCli.Error;
        }

        var report = SpecChecks.Validate(spec);
        if (verbosity >= Verbosity.Minimal)
        {
            output.WriteLine($"spec      {specPath}: {spec.Labels.Count} labels, pruning {Compress.Spec.SpecNames.Of(spec.Pruning.Method)}, {spec.Finetune.Epochs} epochs");
            foreach (var fact in report.Facts)
            {
                output.WriteLine(fact);
            }
        }

        // Folder-level data problems first; only a data set that is there gets its files checked one by one.
        var diagnostics = report.Diagnostics.Any(d => d.IsError && d.Code == SpecMessages.PathNotFoundCode)
            ? report.Diagnostics
            : [.. report.Diagnostics, .. DataValidation.BadFiles(spec)];
        // Without errors the model was loaded (a missing or unreadable one is an error).
        if (!report.Diagnostics.Any(d => d.IsError) && report.Model is { } model)
        {
            diagnostics = [.. diagnostics, .. PruningProblems(spec, model)];
        }

        var failed = CommandOptions.Report(error, diagnostics, verbosity);
        if (verbosity >= Verbosity.Minimal)
        {
            var errors = diagnostics.Count(d => d.IsError);
            output.WriteLine(failed ? $"{errors} error(s); fix them before `dotnet compress run`." : "Everything needed to run is in place.");
        }

        return failed ? CompressCli.Error : CompressCli.Success;
    }

    /// <summary>The pruning options against the model the spec checks loaded, by the same rule and checks as <c>run</c>.</summary>
    private static IReadOnlyList<Diagnostic> PruningProblems(Compress.Spec.CompressSpec spec, ModelProto model)
    {
        try
        {
            return PruningValidator.Validate(PrunableWeights.Prepare(model), SpecMapping.Pruning(spec.Pruning));
        }
        catch (CompressException e)
        {
            return e.Diagnostics;
        }
    }
}
