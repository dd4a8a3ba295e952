namespace Compress.Tool.Rendering;

/// <summary><c>--verbosity</c>: how much the commands print. Errors are always printed.</summary>
public enum Verbosity
{
    /// <summary>Errors only.</summary>
    Quiet,

    /// <summary>Errors, warnings and the final result line.</summary>
    Minimal,

    /// <summary>Also progress: one line (or bar) per stage and epoch. The default.</summary>
    Normal,

    /// <summary>Also every progress update and informational diagnostics.</summary>
    Detailed,
}
