using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// Builds a temporary copy of samples/AppWithModel against the repository's Compress.MSBuild targets
/// (CompressUseLocalTargets) with the fake tool and a tiny real ONNX model, and runs it: WAV files, --eval, --stdin,
/// and the build without a spec.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class SampleAppTests(PackageFeed feed)
{
    [Fact]
    public void Sample_WithEmbeddedModel_RecognisesFilesStdinAndEvaluates()
    {
        var app = CopySample(nameof(Sample_WithEmbeddedModel_RecognisesFilesStdinAndEvaluates), withSpec: true);
        var on = Wav.Clip(0, 440, 1);
        var off = Wav.Clip(1, 660, 2);
        Wav.Write(Path.Combine(app, "data", "on", "a.wav"), on);
        Wav.Write(Path.Combine(app, "data", "off", "b.wav"), off);
        Wav.Write(Path.Combine(app, "data", "off", "c.wav"), Wav.Clip(1, 330, 3));
        Wav.Write(Path.Combine(app, "data", "_silence_", "d.wav"), Wav.Clip(-1, 0, 4));
        Wav.Write(Path.Combine(app, "data", "_background_noise_", "noise.wav"), Wav.Clip(-1, 0, 5));

        var (exit, output) = Build(app);
        Assert.True(exit == 0, output);

        var (filesExit, files) = SampleCopy.Run(app, null, Path.Combine("data", "on", "a.wav"), Path.Combine("data", "off", "b.wav"));
        Assert.True(filesExit == 0, files);
        Assert.Contains("a.wav: on 100.0% -> lights on", files, StringComparison.Ordinal);
        Assert.Contains("b.wav: off 100.0% -> lights off", files, StringComparison.Ordinal);

        var (evalExit, evaluation) = SampleCopy.Run(app, null, "--eval", "data");
        Assert.True(evalExit == 0, evaluation);
        Assert.Contains("clips: 4\n", evaluation, StringComparison.Ordinal);
        Assert.Contains("accuracy: 1.0000 (4/4)", evaluation, StringComparison.Ordinal);
        Assert.Matches(@"mean latency: \d+\.\d\d ms per clip", evaluation);
        Assert.Contains($"model: Kws.onnx, {EnergyModel.Create().Length} bytes embedded (none), {EnergyModel.Create().Length} bytes ONNX", evaluation, StringComparison.Ordinal);

        var stream = Wav.Raw(on.Concat(off).ToArray());
        var (stdinExit, listened) = SampleCopy.Run(app, stream, "--stdin");
        Assert.True(stdinExit == 0, listened);
        Assert.Equal(
            new[] { "0.00-1.00 s: on", "0.50-1.50 s: _silence_", "1.00-2.00 s: off" },
            listened.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.LastIndexOf(' ', l.IndexOf('%', StringComparison.Ordinal))]));
    }

    [Fact]
    public void Sample_WithoutSpec_BuildsAndSaysNoModelIsEmbedded()
    {
        var app = CopySample(nameof(Sample_WithoutSpec_BuildsAndSaysNoModelIsEmbedded), withSpec: false);

        var (exit, output) = Build(app);
        Assert.True(exit == 0, output);

        var (runExit, printed) = SampleCopy.Run(app, null, "clip.wav");
        Assert.Equal(3, runExit);
        Assert.Contains("no compressed model is embedded", printed, StringComparison.Ordinal);
    }

    private string CopySample(string name, bool withSpec)
    {
        var root = Path.Combine(feed.Root, name);
        var source = Path.Combine(PackagedTool.RepositoryRoot, "samples", "AppWithModel");
        var app = Path.Combine(root, "AppWithModel");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)
                || relative is "compress.yaml" or "model.onnx" || relative.StartsWith("data", StringComparison.Ordinal)
                || relative.StartsWith("phrases", StringComparison.Ordinal)) // the phrase model's spec and corpus: the real tool's (run-sample.sh)
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(app, relative))!);
            File.Copy(file, Path.Combine(app, relative));
        }

        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json" })
        {
            File.Copy(Path.Combine(PackagedTool.RepositoryRoot, file), Path.Combine(root, file));
        }

        FakeTool.InstallTo(Path.Combine(root, "tool", "dotnet-compress"));
        if (withSpec)
        {
            File.WriteAllText(Path.Combine(app, "compress.yaml"), "model:\n  path: model.onnx\n");
            File.WriteAllBytes(Path.Combine(app, "model.onnx"), EnergyModel.Create());
            File.WriteAllLines(Path.Combine(app, "labels.txt"), EnergyModel.Labels);
        }

        return app;
    }

    private static (int ExitCode, string Output) Build(string app) =>
        SampleCopy.Build(app, Path.Combine(Path.GetDirectoryName(app)!, "tool", "dotnet-compress"));
}
