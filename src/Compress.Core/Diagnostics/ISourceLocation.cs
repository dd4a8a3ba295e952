namespace Compress.Diagnostics;

/// <summary>
/// A place in a text file that a diagnostic points at: the file as named in diagnostics and its 1-based line and
/// column (null when unknown). The spec's locations implement it, so the CMP1xxx messages are written here without
/// Diagnostics depending on <c>Compress.Spec</c>.
/// </summary>
public interface ISourceLocation
{
    /// <summary>The file as named in diagnostics.</summary>
    string File { get; }

    /// <summary>1-based line, or null.</summary>
    int? Line { get; }

    /// <summary>1-based column, or null.</summary>
    int? Column { get; }
}
