using Compress.Diagnostics;

namespace Compress.Tool.Rendering;

/// <summary>Prints diagnostics in canonical form (<c>file(line,col): error CODE: message</c>) to the error writer.</summary>
internal static class DiagnosticPrinter
{
    /// <summary>Writes the diagnostics <paramref name="verbosity"/> lets through: errors always, warnings from minimal, info at detailed.</summary>
    public static void Print(TextWriter error, IEnumerable<Diagnostic> diagnostics, Verbosity verbosity)
    {
        foreach (var d in diagnostics)
        {
            var show = d.Severity switch
            {
                DiagnosticSeverity.Error => true,
                DiagnosticSeverity.Warning => verbosity >= Verbosity.Minimal,
                _ => verbosity >= Verbosity.Detailed,
            };
            if (show)
            {
                error.WriteLine(d.ToString());
            }
        }
    }

    /// <summary>True when any diagnostic is an error.</summary>
    public static bool HasErrors(IEnumerable<Diagnostic> diagnostics) => diagnostics.Any(d => d.IsError);
}
