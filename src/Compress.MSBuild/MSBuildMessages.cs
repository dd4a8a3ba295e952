using System.Globalization;

namespace Compress.MSBuild;

/// <summary>
/// Codes and texts of the CMP00xx diagnostics: the MSBuild integration and tool discovery. Documented in
/// docs/diagnostics.md; the tests assert on these constants.
/// </summary>
public static class MSBuildMessages
{
    /// <summary>No dotnet-compress was found by any discovery step.</summary>
    public const string ToolNotFoundCode = "CMP0001";

    /// <summary><c>$(CompressToolPath)</c> is set but names no existing file.</summary>
    public const string ToolPathMissingCode = "CMP0002";

    /// <summary>A <c>CompressModel</c> item names a spec file that does not exist.</summary>
    public const string SpecNotFoundCode = "CMP0003";

    /// <summary>Two <c>CompressModel</c> items share a LogicalName, ClassName or OutputName.</summary>
    public const string DuplicateModelCode = "CMP0004";

    /// <summary>A <c>CompressModel</c> item's metadata is not usable (class name, output name).</summary>
    public const string InvalidMetadataCode = "CMP0005";

    /// <summary>The tool exited 1 or 2 (or 130) without printing an error diagnostic of its own.</summary>
    public const string ToolFailedCode = "CMP0006";

    /// <summary>The tool reported success but its output or manifest is missing, unreadable or inconsistent.</summary>
    public const string BadOutputCode = "CMP0007";

    /// <summary>The tool ended abnormally: killed by a signal, aborted, or an exit code outside its contract (0, 1, 2, 130).</summary>
    public const string ToolCrashedCode = "CMP0008";

    /// <summary>How to install the tool, shown with <see cref="ToolNotFoundCode"/>.</summary>
    public const string HowToInstall =
        "Install it with 'dotnet tool install --global Compress.Tool' (add '--add-source <folder>' for a local feed), " +
        "or pin it in the repository with 'dotnet new tool-manifest' then 'dotnet tool install Compress.Tool' and 'dotnet tool restore', " +
        "or set the MSBuild property CompressToolPath to the dotnet-compress executable.";

    internal static string ToolNotFound(IEnumerable<string> lookedIn) =>
        "the dotnet-compress tool was not found. " + HowToInstall + " Looked in: " + string.Join("; ", lookedIn) + ".";

    internal static string ToolPathMissing(string path) =>
        $"CompressToolPath is '{path}', which does not exist. Point it at the dotnet-compress executable or remove it to use discovery.";

    internal static string SpecNotFound(string path) =>
        $"the compress spec '{path}' of a CompressModel item does not exist.";

    internal static string Duplicate(string metadata, string value) =>
        $"two CompressModel items have {metadata} '{value}'; give each model its own {metadata}.";

    internal static string InvalidClassName(string value) =>
        $"ClassName '{value}' is not a C# identifier (letters, digits and '_', not starting with a digit).";

    internal static string InvalidOutputName(string value) =>
        $"OutputName '{value}' must be a plain file name ending in .onnx, without folders.";

    internal static string ToolFailed(int exitCode, IEnumerable<string> lastOutput)
    {
        var what = exitCode == 2
            ? "dotnet-compress exited with code 2 (accuracy gate failed) without printing which gate; see the report folder."
            : string.Format(CultureInfo.InvariantCulture, "dotnet-compress exited with code {0} without printing a diagnostic.", exitCode);
        var tail = string.Join(" | ", lastOutput.Where(l => l.Trim().Length > 0));
        return what + " Nothing was embedded." + (tail.Length == 0 ? "" : " Its last output: " + tail);
    }

    internal static string ToolCrashed(int exitCode, string logFile, IEnumerable<string> lastOutput)
    {
        var why = ToolExit.Explain(exitCode);
        var tail = string.Join(" | ", lastOutput.Where(l => l.Trim().Length > 0));
        return string.Format(CultureInfo.InvariantCulture, "dotnet-compress ended abnormally with exit code {0}", exitCode)
            + (why is null ? "" : " (" + why + ")")
            + ". Nothing was embedded. Its whole output is in " + logFile + "; run 'dotnet compress doctor' and report the log if it recurs."
            + (tail.Length == 0 ? "" : " Its last output: " + tail);
    }

    internal static string BadOutput(string path, string detail) =>
        $"dotnet-compress reported success but '{path}' {detail}. Nothing was embedded.";
}
