using System.CommandLine;
using Compress.Diagnostics;
using Compress.Spec;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary>Options several commands share, and loading a spec with its overrides.</summary>
internal static class CommandOptions
{
    /// <summary>Exit code when cancelled (Ctrl-C / SIGTERM), as shells report SIGINT.</summary>
    public const int Cancelled = 130;

    public static Argument<string> SpecArgument() => new("spec")
    {
        Description = "The compress.yaml to use.",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => SpecParser.DefaultFileName,
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a spec value, e.g. --set pruning.target_sparsity=0.8 (repeatable; validated like the file).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<Verbosity> VerbosityOption() => new("--verbosity", "-v")
    {
        Description = "How much to print: quiet, minimal, normal (default) or detailed.",
        HelpName = "quiet|minimal|normal|detailed",
        DefaultValueFactory = _ => Verbosity.Normal,
    };

    /// <summary>Parses the spec with the overrides, printing its diagnostics; null when it has errors.</summary>
    public static CompressSpec? LoadSpec(string path, string[]? overrides, TextWriter error, Verbosity verbosity)
    {
        var result = SpecParser.Parse(path, overrides ?? []);
        DiagnosticPrinter.Print(error, result.Diagnostics, verbosity);
        return result.Spec;
    }

    /// <summary>Prints the diagnostics and says whether any is an error.</summary>
    public static bool Report(TextWriter error, IReadOnlyList<Diagnostic> diagnostics, Verbosity verbosity)
    {
        DiagnosticPrinter.Print(error, diagnostics, verbosity);
        return DiagnosticPrinter.HasErrors(diagnostics);
    }

    /// <summary>An absolute path (relative to the current directory), or null.</summary>
    public static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
