using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Compress.MSBuild;

/// <summary>
/// Runs <c>dotnet-compress run SPEC --output OUT --manifest MANIFEST --report DIR --no-progress [ExtraArguments]</c>
/// out of process for one model (TorchSharp never loads into MSBuild), turns the tool's canonical diagnostics
/// into MSBuild errors and warnings with code, file, line and column, checks the output against its manifest,
/// and writes the up-to-date stamp. Before starting it deletes the previous output, manifest and stamp, so a
/// failed run leaves nothing that could be embedded. Every line the tool prints (stdout and stderr) is also written to
/// <c>dotnet-compress.log</c> in the report folder, so an abnormal exit (a crash, a signal: CMP0008) can point at it.
/// </summary>
public sealed class CompressTask : ToolTask
{
    private const int RememberedLines = 20;
    private readonly Queue<string> _lastLines = new();
    private readonly object _logLock = new();
    private ToolLocation? _tool;
    private StreamWriter? _log;

    /// <summary>The compress.yaml.</summary>
    [Required]
    public string Spec { get; set; } = "";

    /// <summary>Where the model bytes to embed are written.</summary>
    [Required]
    public string OutputFile { get; set; } = "";

    /// <summary>Where the manifest (labels, sample rate, tensor names, inputs and hashes) is written.</summary>
    [Required]
    public string ManifestFile { get; set; } = "";

    /// <summary>The folder for report.json/report.md.</summary>
    [Required]
    public string ReportDirectory { get; set; } = "";

    /// <summary>The up-to-date stamp written after success.</summary>
    [Required]
    public string StampFile { get; set; } = "";

    /// <summary>Where the local tool manifest search starts (the project folder).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The project (<c>$(MSBuildProjectFullPath)</c>): where tool-discovery errors point.</summary>
    public string? ProjectFile { get; set; }

    /// <summary><c>$(CompressToolPath)</c>: the dotnet-compress executable, or empty for discovery.</summary>
    public string? CompressToolPath { get; set; }

    /// <summary>Arguments appended verbatim to the tool's command line (the item's ExtraArguments).</summary>
    public string? ExtraArguments { get; set; }

    /// <summary>The logical resource name, for messages.</summary>
    public string? LogicalName { get; set; }

    /// <summary>The log of the tool's output: <c>dotnet-compress.log</c> in <see cref="ReportDirectory"/>.</summary>
    public string LogFile => Path.Combine(Path.GetFullPath(ReportDirectory), ToolExit.LogFileName);

    /// <inheritdoc/>
    protected override string ToolName => ToolLocator.CommandName;

    /// <inheritdoc/>
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    /// <inheritdoc/>
    public override bool Execute()
    {
        YieldDuringToolExecution = true;
        foreach (var stale in new[] { OutputFile, ManifestFile, StampFile })
        {
            if (File.Exists(stale))
            {
                File.Delete(stale);
            }
        }

        bool ran;
        try
        {
            ran = base.Execute();
        }
        finally
        {
            lock (_logLock)
            {
                _log?.Dispose();
                _log = null;
            }
        }

        if (!ran || Log.HasLoggedErrors)
        {
            if (Directory.Exists(ReportDirectory) && Directory.EnumerateFileSystemEntries(ReportDirectory).Any())
            {
                Log.LogMessage(MessageImportance.High, "Compress: the report of this run is in {0}", Path.GetFullPath(ReportDirectory));
            }

            return false;
        }

        return VerifyAndStamp() && !Log.HasLoggedErrors;
    }

    /// <inheritdoc/>
    protected override bool ValidateParameters()
    {
        if (!File.Exists(Spec))
        {
            Log.LogError(null, MSBuildMessages.SpecNotFoundCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.SpecNotFound(Spec));
        }

        var lookedIn = new List<string>();
        _tool = ToolLocator.Locate(CompressToolPath, ProjectDirectory, Environment.GetEnvironmentVariable, lookedIn);
        if (_tool is null && !string.IsNullOrEmpty(CompressToolPath))
        {
            Log.LogError(null, MSBuildMessages.ToolPathMissingCode, null, ProjectFile, 0, 0, 0, 0, MSBuildMessages.ToolPathMissing(CompressToolPath!));
        }
        else if (_tool is null)
        {
            Log.LogError(null, MSBuildMessages.ToolNotFoundCode, null, ProjectFile, 0, 0, 0, 0, MSBuildMessages.ToolNotFound(lookedIn));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile)) ?? ".");
        Directory.CreateDirectory(ReportDirectory);
        if (!Log.HasLoggedErrors)
        {
            // Truncated per run: the log is of the last run only, like the report next to it.
            _log = new StreamWriter(new FileStream(LogFile, FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        }

        return !Log.HasLoggedErrors;
    }

    /// <inheritdoc/>
    protected override string GenerateFullPathToTool() => _tool?.Executable ?? ToolName;

    /// <inheritdoc/>
    protected override string GetWorkingDirectory() => SpecDirectory;

    /// <inheritdoc/>
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        if (!string.IsNullOrEmpty(_tool?.ArgumentPrefix))
        {
            builder.AppendTextUnquoted(_tool!.ArgumentPrefix);
        }

        builder.AppendSwitch("run");
        builder.AppendFileNameIfNotNull(Path.GetFullPath(Spec));
        builder.AppendSwitchIfNotNull("--output ", Path.GetFullPath(OutputFile));
        builder.AppendSwitchIfNotNull("--manifest ", Path.GetFullPath(ManifestFile));
        builder.AppendSwitchIfNotNull("--report ", Path.GetFullPath(ReportDirectory));
        builder.AppendSwitch("--no-progress");
        if (!string.IsNullOrWhiteSpace(ExtraArguments))
        {
            builder.AppendTextUnquoted(" " + ExtraArguments!.Trim());
        }

        return builder.ToString();
    }

    /// <inheritdoc/>
    protected override void LogToolCommand(string message)
    {
        base.LogToolCommand(message);
        WriteToLog("> " + message);
    }

    /// <inheritdoc/>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        WriteToLog(singleLine);
        var diagnostic = CanonicalDiagnostic.TryParse(singleLine, SpecDirectory);
        if (diagnostic is null)
        {
            Log.LogMessage(messageImportance, "{0}", singleLine);
            _lastLines.Enqueue(singleLine);
            if (_lastLines.Count > RememberedLines)
            {
                _lastLines.Dequeue();
            }
        }
        else if (diagnostic.IsError)
        {
            Log.LogError(null, diagnostic.Code, null, diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.EndLine, diagnostic.EndColumn, "{0}", diagnostic.Message);
        }
        else
        {
            Log.LogWarning(null, diagnostic.Code, null, diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.EndLine, diagnostic.EndColumn, "{0}", diagnostic.Message);
        }
    }

    /// <inheritdoc/>
    protected override bool HandleTaskExecutionErrors()
    {
        WriteToLog(string.Format(System.Globalization.CultureInfo.InvariantCulture, "exit code {0}", ExitCode));
        if (ToolExit.Classify(ExitCode) == ToolExitKind.Abnormal)
        {
            // Even after errors of its own: a crash is what to report, and the log holds everything it printed.
            Log.LogError(null, MSBuildMessages.ToolCrashedCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.ToolCrashed(ExitCode, LogFile, _lastLines));
        }
        else if (!Log.HasLoggedErrors)
        {
            Log.LogError(null, MSBuildMessages.ToolFailedCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.ToolFailed(ExitCode, _lastLines));
        }

        return false;
    }

    private void WriteToLog(string line)
    {
        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    private string SpecDirectory => Path.GetDirectoryName(Path.GetFullPath(Spec)) ?? ".";

    private bool VerifyAndStamp()
    {
        foreach (var file in new[] { OutputFile, ManifestFile })
        {
            if (!File.Exists(file))
            {
                Log.LogError(null, MSBuildMessages.BadOutputCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.BadOutput(file, "was not written"));
                return false;
            }
        }

        CompressManifest manifest;
        try
        {
            manifest = CompressManifest.Read(ManifestFile);
        }
        catch (Exception e) when (e is FormatException || e is IOException)
        {
            Log.LogError(null, MSBuildMessages.BadOutputCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.BadOutput(ManifestFile, e.Message));
            return false;
        }

        if (FileHash.Sha256(OutputFile) != manifest.Sha256)
        {
            Log.LogError(null, MSBuildMessages.BadOutputCode, null, Spec, 0, 0, 0, 0, MSBuildMessages.BadOutput(OutputFile, "does not have the sha256 its manifest records"));
            return false;
        }

        File.WriteAllText(StampFile, Stamp.Compute(manifest, Path.GetFullPath(Spec), ExtraArguments?.Trim() ?? "", _tool!.Identity));
        return true;
    }
}
