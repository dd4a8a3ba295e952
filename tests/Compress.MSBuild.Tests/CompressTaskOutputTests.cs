using System.Reflection;
using Microsoft.Build.Framework;

namespace Compress.MSBuild.Tests;

/// <summary>
/// The tool's output as the task reads it: canonical error lines become MSBuild errors and canonical warning lines
/// MSBuild warnings (code, file, line and column kept; a <c>compress:</c> line without a file is placed on the project,
/// as MSBuild places any diagnostic without a file), everything else a message.
/// </summary>
public sealed class CompressTaskOutputTests
{
    [Fact]
    public void ToolOutput_WarningsAndErrors_AreLoggedWithTheirCodeAndPosition()
    {
        var engine = new FakeBuildEngine();
        var task = new CompressTask { BuildEngine = engine, Spec = "/work/app/compress.yaml" };

        Feed(task, "load       model.onnx");
        Feed(task, "/work/app/compress.yaml(4,3): warning CMP3105: skipped 2 bad file(s) of 40 (on_bad_file: skip)");
        Feed(task, "compress: warning CMP4006: [MatMul_5] channels through MatMul are kept");
        Feed(task, "/work/app/compress.yaml(7,1): error CMP5001: accuracy 0.871 is below min 0.900");

        var warnings = engine.Warnings.Select(w => (w.Code, w.File, w.LineNumber, w.ColumnNumber, w.Message)).ToList();
        Assert.Equal(
            [
                ("CMP3105", "/work/app/compress.yaml", 4, 3, "skipped 2 bad file(s) of 40 (on_bad_file: skip)"),
                ("CMP4006", "test.csproj", 0, 0, "[MatMul_5] channels through MatMul are kept"),
            ],
            warnings);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("CMP5001", 7), (error.Code, error.LineNumber));
        Assert.Contains(engine.Messages, m => m.Message == "load       model.onnx");
    }

    private static void Feed(CompressTask task, string line) =>
        typeof(CompressTask)
            .GetMethod("LogEventsFromTextOutput", BindingFlags.Instance | BindingFlags.NonPublic)!
            .Invoke(task, [line, MessageImportance.Normal]);
}
