namespace Compress.MSBuild.Tests;

/// <summary>
/// The tool's exit codes as the task reads them: 0, 1, 2 and 130 are the tool's contract; anything else (a signal,
/// an abort, an unhandled exception) is a crash, CMP0008, which names the log of everything the tool printed. The
/// in-process cases run <see cref="CompressTask"/> on a small shell script in place of the tool.
/// </summary>
public sealed class ToolExitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-toolexit-").FullName;

    [Theory]
    [InlineData(0, ToolExitKind.Success)]
    [InlineData(1, ToolExitKind.Error)]
    [InlineData(2, ToolExitKind.GateFailed)]
    [InlineData(130, ToolExitKind.Cancelled)]
    [InlineData(134, ToolExitKind.Abnormal)]
    [InlineData(137, ToolExitKind.Abnormal)]
    [InlineData(139, ToolExitKind.Abnormal)]
    [InlineData(143, ToolExitKind.Abnormal)]
    [InlineData(3, ToolExitKind.Abnormal)]
    [InlineData(255, ToolExitKind.Abnormal)]
    [InlineData(-1, ToolExitKind.Abnormal)]
    [InlineData(-532462766, ToolExitKind.Abnormal)]
    public void Classify_KnowsOnlyTheToolsContractCodes(int exitCode, ToolExitKind expected) =>
        Assert.Equal(expected, ToolExit.Classify(exitCode));

    [Theory]
    [InlineData(134, "SIGABRT")]
    [InlineData(137, "SIGKILL")]
    [InlineData(139, "SIGSEGV")]
    [InlineData(150, "signal 22")]
    public void Explain_NamesTheSignal(int exitCode, string expected) =>
        Assert.Contains(expected, ToolExit.Explain(exitCode), StringComparison.Ordinal);

    [Fact]
    public void ToolAborting_IsCMP0008_NamingTheLog_WhichHoldsItsOutput()
    {
        var (task, engine) = Task("echo 'loading model.onnx'; echo 'native: something broke' >&2; kill -ABRT $$");

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(MSBuildMessages.ToolCrashedCode, error.Code);
        Assert.Contains("exit code 134 (killed by SIGABRT", error.Message, StringComparison.Ordinal);
        Assert.Contains(task.LogFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("native: something broke", error.Message, StringComparison.Ordinal);
        var log = File.ReadAllText(task.LogFile);
        Assert.Contains("loading model.onnx", log, StringComparison.Ordinal);
        Assert.Contains("native: something broke", log, StringComparison.Ordinal);
        Assert.Contains("exit code 134", log, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolCrashing_AfterAnErrorOfItsOwn_IsStillCMP0008()
    {
        var (task, engine) = Task("echo 'compress: error CMP4001: the training loss became NaN' >&2; exit 139");

        Assert.False(task.Execute());

        Assert.Equal(["CMP4001", MSBuildMessages.ToolCrashedCode], engine.Errors.Select(e => e.Code));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(130)]
    public void ToolFailingWithinItsContract_WithoutADiagnostic_IsCMP0006_NotACrash(int exitCode)
    {
        var (task, engine) = Task($"echo 'training...'; exit {exitCode}");

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(MSBuildMessages.ToolFailedCode, error.Code);
        Assert.Contains("training...", File.ReadAllText(task.LogFile), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (CompressTask Task, FakeBuildEngine Engine) Task(string script)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the fake tools are shell scripts");
        }

        var tool = Path.Combine(_root, "dotnet-compress");
        File.WriteAllText(tool, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = Path.Combine(_root, "compress.yaml");
        File.WriteAllText(spec, "model:\n  path: model.onnx\n");
        var engine = new FakeBuildEngine();
        var task = new CompressTask
        {
            BuildEngine = engine,
            Spec = spec,
            OutputFile = Path.Combine(_root, "out", "Kws.onnx"),
            ManifestFile = Path.Combine(_root, "out", "Kws.manifest.json"),
            ReportDirectory = Path.Combine(_root, "out", "Kws.report"),
            StampFile = Path.Combine(_root, "out", "Kws.stamp"),
            ProjectDirectory = _root,
            CompressToolPath = tool,
        };
        return (task, engine);
    }
}
