using System.Globalization;

namespace Compress.MSBuild;

/// <summary>How the tool's process ended, read from its exit code (the tool's contract: docs/architecture.md).</summary>
public enum ToolExitKind
{
    /// <summary>Exit 0: the model, manifest and report were written.</summary>
    Success,

    /// <summary>Exit 1: an error, which the tool printed as a diagnostic.</summary>
    Error,

    /// <summary>Exit 2: the accuracy gate failed (CMP5xxx printed).</summary>
    GateFailed,

    /// <summary>Exit 130: cancelled (Ctrl-C or SIGTERM), nothing written.</summary>
    Cancelled,

    /// <summary>Any other code: killed by a signal (128 + n on Unix, e.g. 134 = SIGABRT, 137 = SIGKILL), a native
    /// crash, an unhandled .NET exception, or a process MSBuild could not run to the end (−1).</summary>
    Abnormal,
}

/// <summary>Maps the tool's exit code to what it means; one switch, so the codes the tool may use live here.</summary>
public static class ToolExit
{
    /// <summary>File name, in the model's report folder, of the log of the tool's stdout and stderr.</summary>
    public const string LogFileName = "dotnet-compress.log";

    /// <summary>What <paramref name="exitCode"/> means.</summary>
    public static ToolExitKind Classify(int exitCode) => exitCode switch
    {
        0 => ToolExitKind.Success,
        1 => ToolExitKind.Error,
        2 => ToolExitKind.GateFailed,
        130 => ToolExitKind.Cancelled,
        _ => ToolExitKind.Abnormal,
    };

    /// <summary>
    /// A reading of an abnormal exit code for people: the Unix signal for 129–159 (128 + signal number, as .NET
    /// reports a process a signal killed), else null.
    /// </summary>
    public static string? Explain(int exitCode) => exitCode switch
    {
        134 => "killed by SIGABRT: an abort, usually a native crash",
        137 => "killed by SIGKILL: often the out-of-memory killer",
        139 => "killed by SIGSEGV: a native crash",
        135 => "killed by SIGBUS: a native crash",
        136 => "killed by SIGFPE: a native crash",
        143 => "killed by SIGTERM without handling it",
        > 128 and < 160 => string.Format(CultureInfo.InvariantCulture, "killed by signal {0}", exitCode - 128),
        -1 => "it could not be run to the end",
        _ => null,
    };
}
