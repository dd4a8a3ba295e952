using System.Globalization;
using System.Text.RegularExpressions;

namespace Compress.MSBuild;

/// <summary>
/// One line of the tool's output in the canonical MSBuild form <c>file(line,col): error CODE: message</c>
/// (also <c>file(line): …</c>, <c>file: …</c>, <c>compress: error CODE: …</c>, and <c>warning</c>).
/// </summary>
internal sealed class CanonicalDiagnostic
{
    private static readonly Regex Pattern = new(
        @"^\s*(?<origin>.*?)(?:\((?<line>\d+)(?:,(?<col>\d+))?(?:,(?<eline>\d+),(?<ecol>\d+))?\))?\s*:\s*(?<category>error|warning)\s+(?<code>[A-Za-z]+[0-9]+)\s*:\s*(?<text>.*?)\s*$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    private CanonicalDiagnostic(bool isError, string code, string? file, int line, int column, int endLine, int endColumn, string message)
    {
        IsError = isError;
        Code = code;
        File = file;
        Line = line;
        Column = column;
        EndLine = endLine;
        EndColumn = endColumn;
        Message = message;
    }

    public bool IsError { get; }

    public string Code { get; }

    /// <summary>The file the diagnostic is about, made absolute against the tool's working folder; null for <c>compress:</c>.</summary>
    public string? File { get; }

    /// <summary>1-based line, or 0 when not given.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when not given.</summary>
    public int Column { get; }

    public int EndLine { get; }

    public int EndColumn { get; }

    public string Message { get; }

    /// <summary>Parses a line; null when it is not a diagnostic (progress, summaries, stack traces).</summary>
    /// <param name="baseDirectory">The tool's working folder, against which relative file names are resolved.</param>
    public static CanonicalDiagnostic? TryParse(string line, string baseDirectory)
    {
        var match = Pattern.Match(line);
        if (!match.Success)
        {
            return null;
        }

        var origin = match.Groups["origin"].Value.Trim();
        string? file = origin;
        if (origin.Length == 0 || origin == "compress" || origin == ToolLocator.CommandName)
        {
            file = null;
        }
        else
        {
            try
            {
                file = Path.GetFullPath(Path.Combine(baseDirectory, origin));
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                file = origin;
            }
        }

        return new CanonicalDiagnostic(
            match.Groups["category"].Value == "error",
            match.Groups["code"].Value,
            file,
            Number(match, "line"),
            Number(match, "col"),
            Number(match, "eline"),
            Number(match, "ecol"),
            match.Groups["text"].Value);
    }

    private static int Number(Match match, string group) =>
        match.Groups[group].Success && int.TryParse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
