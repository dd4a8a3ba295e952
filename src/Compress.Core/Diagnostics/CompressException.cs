namespace Compress.Diagnostics;

/// <summary>
/// Carries one or more <see cref="Diagnostic"/>s out of a stage that cannot go on. Stages that can report
/// problems as data do so; this exception exists for the places (native loading, deep call chains) where
/// unwinding is the honest way out. The tool turns it back into diagnostics and an exit code.
/// </summary>
public sealed class CompressException : Exception
{
    /// <summary>Creates the exception from the diagnostics that caused it (at least one).</summary>
    public CompressException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null)
        : base(diagnostics.Count > 0 ? diagnostics[0].ToString() : "Compress failed.", inner)
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Creates the exception from one diagnostic.</summary>
    public CompressException(Diagnostic diagnostic, Exception? inner = null)
        : this([diagnostic], inner)
    {
    }

    /// <summary>What went wrong.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}
