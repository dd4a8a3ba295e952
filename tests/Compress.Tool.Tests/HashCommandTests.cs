using System.Text.Json;
using Compress.Pipeline;
using Compress.Runtime;

namespace Compress.Tool.Tests;

public sealed class HashCommandTests
{
    private static readonly string Version = EnvironmentReport.VersionOf(typeof(CompressCli).Assembly);

    /// <summary>
    /// After a real run, <c>hash</c> prints the key the manifest records (and the MSBuild stamp recomputes from it);
    /// editing a clip, adding one, or editing the spec changes it.
    /// </summary>
    [Fact]
    public void Hash_AfterARealRun_EqualsTheManifestsKey_AndChangesWithDataAndSpec()
    {
        using var ws = TestWorkspace.Separable();
        var manifest = Path.Combine(ws.Folder, "files.json");
        var run = CliHarness.Run(CliHarness.With(new CompressPipeline(Version)), "run", ws.SpecPath, "--output", Path.Combine(ws.Folder, "out.onnx"), "--manifest", manifest, "-v", "quiet");
        Assert.Equal((0, ""), (run.Exit, run.Error));
        var recorded = JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("inputsKey").GetString();

        var hash = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath);

        Assert.Equal((0, ""), (hash.Exit, hash.Error));
        Assert.Matches("^[0-9a-f]{64}\n$", hash.Output);
        Assert.Equal(recorded + "\n", hash.Output);

        var clip = Path.Combine(ws.Folder, "data", "yes", "speaker0_nohash_0.wav");
        Compress.Audio.WavWriter.Write(clip, Enumerable.Repeat(0.25f, 16000).ToArray(), 16000);
        var afterClip = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath).Output;
        Compress.Audio.WavWriter.Write(Path.Combine(ws.Folder, "data", "yes", "speaker5_nohash_0.wav"), Enumerable.Repeat(0.5f, 16000).ToArray(), 16000);
        var afterNewClip = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath).Output;
        File.AppendAllText(ws.SpecPath, "\nseed: 3\n");
        var afterSpec = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath).Output;

        Assert.Equal(4, new[] { hash.Output, afterClip, afterNewClip, afterSpec }.Distinct().Count());
    }

    [Fact]
    public void Hash_Explain_ListsSpecModelAndEveryClip()
    {
        using var ws = TestWorkspace.Separable();

        var (exit, output, _) = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath, "--explain");

        Assert.Equal(0, exit);
        Assert.StartsWith($"compress-inputs 1\ntool {Version}\nspec {ws.SpecPath}\n", output, StringComparison.Ordinal);
        Assert.Contains($" {ws.ModelPath}\n", output, StringComparison.Ordinal);
        Assert.Equal(8 + 2, output.Split('\n').Count(l => l.StartsWith("input ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Hash_BadSpec_ExitsOneWithTheSpecsCode_AndPrintsNoKey()
    {
        using var ws = TestWorkspace.WithSpec(TestWorkspace.Spec + "\nseed: x\n");

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "hash", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"{ws.SpecPath}(11,7): error CMP1004: 'seed' must be an integer, not 'x'\n", error);
    }
}
