using Compress.Diagnostics;

namespace Compress.Spec;

/// <summary>
/// Where a spec value was written: the file as named in diagnostics (e.g. <c>compress.yaml</c>, or <c>--set</c>
/// for a command-line override) and its 1-based line and column. For an override, <see cref="Line"/> is the
/// override's position on the command line (1 = first <c>--set</c>) and <see cref="Column"/> the 1-based
/// character position within its <c>key=value</c> text.
/// </summary>
public sealed record SpecLocation(string File, int? Line, int? Column) : ISourceLocation
{
    /// <summary>The file name used for values that come from <c>--set key=value</c> overrides.</summary>
    public const string OverrideFile = "--set";

    /// <summary>No location (values that were not written anywhere, i.e. defaults).</summary>
    public static SpecLocation None { get; } = new("compress.yaml", null, null);

    /// <summary>The same place as a <see cref="GateLocation"/>, for <see cref="Evaluation.Gate.Evaluate"/>.</summary>
    public GateLocation ToGateLocation() => new(File, Line, Column);

    /// <summary>An error diagnostic at this place.</summary>
    public Diagnostic Error(string code, string message) => Diagnostic.Error(code, message, File, Line, Column);

    /// <summary>A warning diagnostic at this place.</summary>
    public Diagnostic Warning(string code, string message) => Diagnostic.Warning(code, message, File, Line, Column);

    /// <summary><c>file(line,col)</c>.</summary>
    public override string ToString() =>
        Line is null ? File : Column is null ? $"{File}({Line})" : $"{File}({Line},{Column})";
}
