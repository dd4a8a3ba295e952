using System.Globalization;
using System.Text;

namespace Compress.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is. Errors stop the pipeline; warnings do not.</summary>
public enum DiagnosticSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// One problem found by Compress, as data. <see cref="Code"/> is stable (documented in docs/diagnostics.md);
/// <see cref="File"/>, <see cref="Line"/> and <see cref="Column"/> (1-based) say where, when known, and
/// <see cref="Node"/> names the ONNX node or tensor it concerns, when there is one.
/// </summary>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Message,
    string? File = null,
    int? Line = null,
    int? Column = null,
    string? Node = null)
{
    /// <summary>Creates an error diagnostic.</summary>
    public static Diagnostic Error(string code, string message, string? file = null, int? line = null, int? column = null, string? node = null)
        => new(code, DiagnosticSeverity.Error, message, file, line, column, node);

    /// <summary>Creates a warning diagnostic.</summary>
    public static Diagnostic Warning(string code, string message, string? file = null, int? line = null, int? column = null, string? node = null)
        => new(code, DiagnosticSeverity.Warning, message, file, line, column, node);

    /// <summary>True when this diagnostic is an error.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>
    /// The canonical MSBuild form that CI systems annotate:
    /// <c>file(line,col): error CODE: message</c>, or <c>compress: error CODE: message</c> without a file.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (File is null)
        {
            sb.Append("compress");
        }
        else
        {
            sb.Append(File);
            if (Line is int line)
            {
                sb.Append('(').Append(line.ToString(CultureInfo.InvariantCulture));
                if (Column is int column)
                {
                    sb.Append(',').Append(column.ToString(CultureInfo.InvariantCulture));
                }

                sb.Append(')');
            }
        }

        sb.Append(": ").Append(Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        });
        sb.Append(' ').Append(Code).Append(": ");
        if (Node is not null)
        {
            sb.Append('[').Append(Node).Append("] ");
        }

        sb.Append(Message);
        return sb.ToString();
    }
}
