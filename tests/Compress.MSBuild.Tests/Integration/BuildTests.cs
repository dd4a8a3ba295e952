using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>Real <c>dotnet build</c>s of small projects that consume the packed Compress.MSBuild (Grpc.Tools style).</summary>
[Collection(PackageFeedCollection.Name)]
public sealed partial class BuildTests(PackageFeed feed)
{
    [Fact]
    public void Build_EmbedsModelUnderLogicalName_AndAccessorReadsIt()
    {
        var app = new TestApp(feed, nameof(Build_EmbedsModelUnderLogicalName_AndAccessorReadsIt));

        var (exit, output) = app.Build();

        Assert.True(exit == 0, output);
        Assert.Equal(1, app.ToolInvocations);
        var resources = app.EmbeddedResources();
        var embedded = Assert.Contains("Kws.onnx", resources);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(Path.Combine(app.CompressFolder, "Kws.onnx"))), SHA256.HashData(embedded));
        var model = File.ReadAllBytes(Path.Combine(app.ProjectDirectory, "model.onnx"));
        Assert.Equal(model, Gunzip(embedded));
        var (runExit, printed) = PackagedTool.Run("dotnet", app.ProjectDirectory, null, app.Assembly);
        Assert.True(runExit == 0, printed);
        Assert.Contains("labels=yes|no|on \"quoted\"", printed, StringComparison.Ordinal);
        Assert.Contains($"bytes={model.Length}", printed, StringComparison.Ordinal);
        Assert.Contains("rate=16000 input=pcm shape=-1,16000 output=logits", printed, StringComparison.Ordinal);
        Assert.Contains("--seed 7", File.ReadAllText(app.InvocationLog), StringComparison.Ordinal);
    }

    /// <summary>
    /// README's "Use it in your app" as a user copies it into the <c>dotnet new console</c> template: its package
    /// references, and its C# block as the whole top-level <c>Program.cs</c> (no namespace, no <c>using</c> of the
    /// root namespace). It must compile as written and run on a real model.
    /// </summary>
    [Fact]
    public void ReadmeSnippet_CompilesAsWritten_InTheConsoleTemplatesTopLevelProgram_AndRuns()
    {
        var app = new TestApp(feed, nameof(ReadmeSnippet_CompilesAsWritten_InTheConsoleTemplatesTopLevelProgram_AndRuns));
        var readme = File.ReadAllText(Path.Combine(PackagedTool.RepositoryRoot, "README.md"));
        var snippet = CodeBlock().Matches(readme).Select(m => m.Groups[1].Value).Single(b => b.Contains("CompressedModels.Kws.ReadAllBytes()", StringComparison.Ordinal));
        var runtime = OnnxRuntimeReference().Match(readme);
        Assert.True(runtime.Success, "README's package references name Microsoft.ML.OnnxRuntime with a version");
        app.AddPackageReference("Microsoft.ML.OnnxRuntime", runtime.Groups[1].Value);
        File.WriteAllText(Path.Combine(app.ProjectDirectory, "Program.cs"), snippet + "Console.WriteLine($\"inputs={session.InputMetadata.Count} labels={string.Join('|', labels)} rate={rate}\");\n");
        File.WriteAllBytes(Path.Combine(app.ProjectDirectory, "model.onnx"), EnergyModel.Create());
        File.WriteAllLines(Path.Combine(app.ProjectDirectory, "labels.txt"), EnergyModel.Labels);
        app.WriteSpec("model:\n  path: model.onnx\n");

        var (exit, output) = app.Build();

        Assert.True(exit == 0, output);
        var (runExit, printed) = PackagedTool.Run("dotnet", app.ProjectDirectory, null, app.Assembly);
        Assert.True(runExit == 0, printed);
        Assert.Contains("inputs=1 labels=on|off|_silence_ rate=16000", printed, StringComparison.Ordinal);

        // Without implicit usings nothing is added: the project's own usings decide (here: none, so CS0103).
        app.SetProperty("ImplicitUsings", "disable");
        File.WriteAllText(Path.Combine(app.ProjectDirectory, "Program.cs"), "System.Console.WriteLine(CompressedModels.Kws.SampleRate);\n");
        var (plainExit, plainOutput) = app.Build();
        Assert.NotEqual(0, plainExit);
        Assert.Contains("error CS0103: The name 'CompressedModels' does not exist", plainOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_OfAFilteredModel_CompilesTheDecoder_AndTheAppGetsTheExactOnnxBytes()
    {
        var app = new TestApp(feed, nameof(Build_OfAFilteredModel_CompilesTheDecoder_AndTheAppGetsTheExactOnnxBytes), "model:\n  path: model.onnx\ncompression: gzip-shuffle\n");
        var model = File.ReadAllBytes(Path.Combine(app.ProjectDirectory, "model.onnx"));
        File.WriteAllBytes(Path.Combine(app.ProjectDirectory, "model.cmpf"), Container(model));

        var (exit, output) = app.Build();

        Assert.True(exit == 0, output);
        Assert.Contains("EmbeddedFilterDecoder.Decode", File.ReadAllText(Path.Combine(app.CompressFolder, "CompressedModels.g.cs")), StringComparison.Ordinal);
        var (runExit, printed) = PackagedTool.Run("dotnet", app.ProjectDirectory, null, app.Assembly);
        Assert.True(runExit == 0, printed);
        Assert.Contains($"bytes={model.Length}", printed, StringComparison.Ordinal);
        Assert.Contains($"sha256={Convert.ToHexStringLower(SHA256.HashData(model))}", printed, StringComparison.Ordinal);
    }

    /// <summary>
    /// A CMPF container of <paramref name="model"/> written from the format's description (docs/embedded-format.md),
    /// not with Compress.Core's encoder: bytes [10, 18) as four-byte elements, bytes [24, 36) as two-byte deltas.
    /// </summary>
    private static byte[] Container(byte[] model)
    {
        var payload = (byte[])model.Clone();
        void Shuffle(int offset, int length, int width)
        {
            var n = length / width;
            for (var i = 0; i < n; i++)
            {
                for (var b = 0; b < width; b++)
                {
                    payload[offset + (b * n) + i] = model[offset + (i * width) + b];
                }
            }
        }

        Shuffle(10, 8, 4);
        var deltas = new byte[12];
        for (var i = 0; i < 6; i++)
        {
            var value = BitConverter.ToUInt16(model, 24 + (2 * i));
            var previous = i == 0 ? 0 : BitConverter.ToUInt16(model, 24 + (2 * (i - 1)));
            BitConverter.TryWriteBytes(deltas.AsSpan(2 * i), (ushort)(value - previous));
        }

        for (var i = 0; i < 6; i++)
        {
            payload[24 + i] = deltas[2 * i];
            payload[30 + i] = deltas[(2 * i) + 1];
        }

        return [.. "CMPF"u8, 1, 2, 10, 8, 4, 6, 12, 0x12, .. payload];
    }

    [Fact]
    public void SecondBuild_DoesNotRunTool_UntilAListedInputOrTheDataSetChanges()
    {
        var app = new TestApp(feed, nameof(SecondBuild_DoesNotRunTool_UntilAListedInputOrTheDataSetChanges));
        Assert.Equal(0, app.Build().ExitCode);
        var generated = Path.Combine(app.CompressFolder, "CompressedModels.g.cs");
        var generatedTime = File.GetLastWriteTimeUtc(generated);

        var (exit, output) = app.Build();
        Assert.True(exit == 0, output);
        Assert.Equal(1, app.ToolInvocations);
        Assert.Equal(generatedTime, File.GetLastWriteTimeUtc(generated));

        File.AppendAllText(Path.Combine(app.ProjectDirectory, "data", "no", "b.wav"), " changed");
        Assert.Equal(0, app.Build().ExitCode);
        Assert.Equal(2, app.ToolInvocations);

        File.WriteAllText(Path.Combine(app.ProjectDirectory, "data", "yes", "new.wav"), "an added clip");
        Assert.Equal(0, app.Build().ExitCode);
        Assert.Equal(3, app.ToolInvocations);

        Assert.Equal(0, app.Build("-p:Configuration=Debug").ExitCode);
        Assert.Equal(3, app.ToolInvocations);

        File.AppendAllText(Path.Combine(app.ProjectDirectory, "compress.yaml"), "# a comment\n");
        Assert.Equal(0, app.Build().ExitCode);
        Assert.Equal(4, app.ToolInvocations);

        var project = Path.Combine(app.ProjectDirectory, "App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("--seed 7", "--seed 8", StringComparison.Ordinal));
        Assert.Equal(0, app.Build().ExitCode);
        Assert.Equal(5, app.ToolInvocations);
        Assert.EndsWith("--seed 8", File.ReadAllLines(app.InvocationLog)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void RestoredOutputFolder_WithNewTimestamps_IsUpToDate_ButAChangedToolIsNot()
    {
        var app = new TestApp(feed, nameof(RestoredOutputFolder_WithNewTimestamps_IsUpToDate_ButAChangedToolIsNot));
        Assert.Equal(0, app.Build().ExitCode);

        // A CI cache restores obj/compress into a fresh clone: every file is new, only contents match.
        var cache = Path.Combine(app.Root, "cache");
        CopyDirectory(app.CompressFolder, cache);
        Directory.Delete(Path.Combine(app.ProjectDirectory, "obj"), recursive: true);
        Directory.Delete(Path.Combine(app.ProjectDirectory, "bin"), recursive: true);
        CopyDirectory(cache, app.CompressFolder);
        foreach (var file in Directory.EnumerateFiles(app.ProjectDirectory, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));
        }

        var (exit, output) = app.Build();
        Assert.True(exit == 0, output);
        Assert.Equal(1, app.ToolInvocations);
        Assert.Contains("Kws.onnx", app.EmbeddedResources().Keys);

        File.AppendAllText(app.ToolPath, "\n# a new tool version\n");
        Assert.Equal(0, app.Build().ExitCode);
        Assert.Equal(2, app.ToolInvocations);
    }

    [Fact]
    public void GateFailure_FailsBuildWithCMP5001AtTheSpecLine_AndEmbedsNothing()
    {
        var app = new TestApp(feed, nameof(GateFailure_FailsBuildWithCMP5001AtTheSpecLine_AndEmbedsNothing), spec: "model:\n  path: model.onnx\ngate: impossible\n");

        var (exit, output) = app.Build();

        Assert.NotEqual(0, exit);
        var spec = Regex.Escape(Path.Combine(app.ProjectDirectory, "compress.yaml"));
        Assert.Matches(spec + @"\(12,3\): error CMP5001: accuracy 0\.871 is below min 0\.900 \(baseline 0\.934, sparsity 0\.80\)", output);
        Assert.False(File.Exists(app.Assembly));
        Assert.False(File.Exists(Path.Combine(app.CompressFolder, "Kws.onnx")));
        Assert.False(File.Exists(Path.Combine(app.CompressFolder, "Kws.stamp")));
    }

    [Fact]
    public void GateFailure_AfterAGoodBuild_RemovesThePreviousModel_AndRunsAgainNextTime()
    {
        var app = new TestApp(feed, nameof(GateFailure_AfterAGoodBuild_RemovesThePreviousModel_AndRunsAgainNextTime));
        Assert.Equal(0, app.Build().ExitCode);

        app.WriteSpec("model:\n  path: model.onnx\ngate: impossible\n");
        Assert.NotEqual(0, app.Build().ExitCode);
        Assert.False(File.Exists(Path.Combine(app.CompressFolder, "Kws.onnx")));
        Assert.NotEqual(0, app.Build().ExitCode);
        Assert.Equal(3, app.ToolInvocations);
    }

    [Fact]
    public void ToolFailingWithoutADiagnostic_FailsWithCMP0006_QuotingItsLastOutput()
    {
        var app = new TestApp(feed, nameof(ToolFailingWithoutADiagnostic_FailsWithCMP0006_QuotingItsLastOutput), spec: "model:\n  path: model.onnx\ngate: silent\n");

        var (exit, output) = app.Build();

        Assert.NotEqual(0, exit);
        Assert.Contains($"error {MSBuildMessages.ToolFailedCode}: dotnet-compress exited with code 2 (accuracy gate failed)", output, StringComparison.Ordinal);
        Assert.Contains("Its last output: fake compress: ", output, StringComparison.Ordinal);
        Assert.Contains("| training...", output, StringComparison.Ordinal);
        Assert.False(File.Exists(app.Assembly));
    }

    [Fact]
    public void ToolAborting_FailsWithCMP0008_NamingTheLogInTheReportFolder()
    {
        var app = new TestApp(feed, nameof(ToolAborting_FailsWithCMP0008_NamingTheLogInTheReportFolder), spec: "model:\n  path: model.onnx\ngate: abort\n");

        var (exit, output) = app.Build();

        Assert.NotEqual(0, exit);
        var log = Path.Combine(app.CompressFolder, "Kws.report", "dotnet-compress.log");
        Assert.Contains($"error {MSBuildMessages.ToolCrashedCode}: dotnet-compress ended abnormally with exit code 134 (killed by SIGABRT", output, StringComparison.Ordinal);
        Assert.Contains(log, output, StringComparison.Ordinal);
        Assert.DoesNotContain(MSBuildMessages.ToolFailedCode, output, StringComparison.Ordinal);
        Assert.Contains("native: fatal", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app.CompressFolder, "Kws.onnx")));
    }

    [Fact]
    public void MissingTool_FailsWithCMP0001_SayingHowToInstall()
    {
        var app = new TestApp(feed, nameof(MissingTool_FailsWithCMP0001_SayingHowToInstall), withTool: false);
        var home = Path.Combine(app.Root, "home");
        Directory.CreateDirectory(home);
        var dotnetFolder = Path.GetDirectoryName(Environment.ProcessPath!)!;

        var (exit, output) = app.Build(new Dictionary<string, string> { ["HOME"] = home, ["DOTNET_CLI_HOME"] = home, ["PATH"] = dotnetFolder + ":/usr/bin:/bin" });

        Assert.NotEqual(0, exit);
        Assert.Contains($"{Path.Combine(app.ProjectDirectory, "App.csproj")} : error {MSBuildMessages.ToolNotFoundCode}: the dotnet-compress tool was not found. {MSBuildMessages.HowToInstall}", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(home, ".dotnet", "tools", "dotnet-compress"), output, StringComparison.Ordinal);
        Assert.False(File.Exists(app.Assembly));
    }

    [Fact]
    public void ToolPathToNothing_FailsWithCMP0002()
    {
        var app = new TestApp(feed, nameof(ToolPathToNothing_FailsWithCMP0002));

        var (exit, output) = app.Build("-p:CompressToolPath=/nonexistent/dotnet-compress");

        Assert.NotEqual(0, exit);
        Assert.Contains($"error {MSBuildMessages.ToolPathMissingCode}: CompressToolPath is '/nonexistent/dotnet-compress'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSpec_SurfacesTheToolsCMP1xxxLine()
    {
        var app = new TestApp(feed, nameof(BadSpec_SurfacesTheToolsCMP1xxxLine), spec: "model:\n  path: model.onnx\nunknown_key: 1\n");

        var (exit, output) = app.Build();

        Assert.NotEqual(0, exit);
        Assert.Matches(Regex.Escape(Path.Combine(app.ProjectDirectory, "compress.yaml")) + @"\(3,1\): error CMP1002: unknown key 'unknown_key'", output);
        Assert.DoesNotContain("CMP0006", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolWarning_BecomesAnMSBuildWarningWithItsCode()
    {
        var app = new TestApp(feed, nameof(ToolWarning_BecomesAnMSBuildWarningWithItsCode), spec: "model:\n  path: model.onnx\nwarn: yes\n");

        var (exit, output) = app.Build("-v:m");

        Assert.True(exit == 0, output);
        Assert.Matches(Regex.Escape(Path.Combine(app.ProjectDirectory, "compress.yaml")) + @"\(5,2\): warning CMP4002: fine-tuning stopped early", output);
    }

    [Fact]
    public void DesignTimeBuild_NeverRunsTheTool()
    {
        var app = new TestApp(feed, nameof(DesignTimeBuild_NeverRunsTheTool));

        var (exit, output) = app.Build("-p:DesignTimeBuild=true");

        Assert.True(exit == 0, output);
        Assert.Equal(0, app.ToolInvocations);
        Assert.DoesNotContain("Kws.onnx", app.EmbeddedResources().Keys);
    }

    [Fact]
    public void Clean_RemovesEveryOutput()
    {
        var app = new TestApp(feed, nameof(Clean_RemovesEveryOutput));
        Assert.Equal(0, app.Build().ExitCode);
        Assert.True(File.Exists(Path.Combine(app.CompressFolder, "Kws.report", "report.json")));

        var (exit, output) = app.Dotnet("clean", "-v:q");

        Assert.True(exit == 0, output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(app.CompressFolder));
    }

    [Fact]
    public void Publish_CarriesTheEmbeddedModel_WithoutRunningTheToolAgain()
    {
        var app = new TestApp(feed, nameof(Publish_CarriesTheEmbeddedModel_WithoutRunningTheToolAgain));
        Assert.Equal(0, app.Build().ExitCode);
        var publish = Path.Combine(app.Root, "publish");

        var (exit, output) = app.Dotnet("publish", "-v:q", "-c", "Debug", "-o", publish);

        Assert.True(exit == 0, output);
        Assert.Equal(1, app.ToolInvocations);
        var (runExit, printed) = PackagedTool.Run("dotnet", publish, null, Path.Combine(publish, "App.dll"));
        Assert.True(runExit == 0, printed);
        Assert.Contains("labels=yes|no|on \"quoted\"", printed, StringComparison.Ordinal);
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var result = new MemoryStream();
        gzip.CopyTo(result);
        return result.ToArray();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    [GeneratedRegex(@"(?s)```csharp\n(.*?)```")]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"<PackageReference Include=""Microsoft\.ML\.OnnxRuntime"" Version=""([^""]+)"" />")]
    private static partial Regex OnnxRuntimeReference();
}
