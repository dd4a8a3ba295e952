using System.Globalization;
using System.Text.RegularExpressions;
using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// The product as a user meets it: the tool packed into a local feed and installed into a tool path, a temporary
/// copy of samples/AppWithModel built with `dotnet build` (which runs the real `dotnet-compress run`: features,
/// dense baseline, pruning and fine-tuning, export, ONNX Runtime measurement, gate), then the app classifying the
/// corpus's held-out (voice-disjoint, noisy) test clips with the model embedded in it.
/// </summary>
public sealed partial class EndToEndTests(EndToEndTests.InstalledTool installed) : IClassFixture<EndToEndTests.InstalledTool>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-e2e-").FullName;

    /// <summary>The packed tool installed once into a temporary tool path for the class.</summary>
    public sealed class InstalledTool : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("compress-e2e-tool-").FullName;

        public InstalledTool() => Executable = PackagedTool.InstallInto(_path);

        public string Executable { get; }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Sample_BuiltWithThePackedTool_EmbedsAGatedModel_ThatClassifiesHeldOutClips()
    {
        var tool = installed.Executable;
        var app = CopySample("passing", spec => spec);

        var (exit, output) = SampleCopy.Build(app, tool);

        Assert.True(exit == 0, output);
        // Held-out keyword clips: voices never heard in training, noise mixed in.
        var keywords = new HashSet<string>(["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"], StringComparer.Ordinal);
        var heldOut = Path.Combine(app, "heldout_keywords.txt");
        File.WriteAllLines(heldOut, File.ReadLines(Path.Combine(app, "data", "testing_list.txt"))
            .Where(l => keywords.Contains(l.Split('/')[0]))
            .Select(l => $"{Path.Combine(app, "data", l)}\t{l.Split('/')[0]}"));
        var (runExit, printed) = SampleCopy.Run(app, null, "--eval", heldOut);
        Assert.True(runExit == 0, printed);
        var accuracy = double.Parse(AccuracyLine().Match(printed).Groups[1].Value, CultureInfo.InvariantCulture);
        var min = double.Parse(GateMin().Match(File.ReadAllText(Path.Combine(app, "compress.yaml"))).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= min, $"held-out keyword accuracy {accuracy} is below the sample's gate min {min}:\n{printed}");
        Assert.Contains("Kws.onnx", printed, StringComparison.Ordinal);

        // The build's report says the gate passed on the same embedded bytes.
        var report = File.ReadAllText(Directory.GetFiles(Path.Combine(app, "obj"), "report.json", SearchOption.AllDirectories).Single(p => p.Contains("Kws", StringComparison.Ordinal)));
        Assert.Contains("\"passed\": true", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_WithAnImpossibleGate_FailsTheBuildWithCmp5001_AndEmbedsNothing()
    {
        var tool = installed.Executable;
        var app = CopySample("failing", spec =>
        {
            var impossible = GateMin().Replace(spec, "  min: 0.999", 1);
            impossible = FineTuneEpochs().Replace(impossible, "  epochs: 1", 1);
            impossible = ScheduleEnd().Replace(impossible, "    end_epoch: 1", 1);
            Assert.Contains("  min: 0.999", impossible, StringComparison.Ordinal);
            Assert.Contains("  epochs: 1", impossible, StringComparison.Ordinal);
            return impossible;
        });

        var (exit, output) = SampleCopy.Build(app, tool);

        Assert.NotEqual(0, exit);
        Assert.Matches(@"compress\.yaml\(\d+,\d+\): error CMP5001: accuracy 0\.\d{3} is below min 0\.999 \(baseline 0\.\d{3}, sparsity 0\.80\)", output);
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "AppWithModel.dll")), "a failed gate must not produce an app");
        Assert.Empty(Directory.GetFiles(Path.Combine(app, "obj"), "Kws.onnx", SearchOption.AllDirectories));
    }

    [GeneratedRegex(@"accuracy: ([0-9.]+)")]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"(?m)^  min: ([0-9.]+)")]
    private static partial Regex GateMin();

    [GeneratedRegex(@"(?m)^  epochs: \d+")]
    private static partial Regex FineTuneEpochs();

    [GeneratedRegex(@"(?m)^    end_epoch: \d+")]
    private static partial Regex ScheduleEnd();

    /// <summary>
    /// The sample's data, made by samples/AppWithModel/make-data.sh: it returns at once when data/ already holds the
    /// corpus of its settings (corpus.key), and rebuilds it when the settings or the generator changed.
    /// </summary>
    private static string EnsureCorpus()
    {
        var sample = Path.Combine(PackagedTool.RepositoryRoot, "samples", "AppWithModel");
        var (exit, output) = PackagedTool.Run("bash", sample, null, Path.Combine(sample, "make-data.sh"));
        Assert.True(exit == 0, output);
        return Path.Combine(sample, "data");
    }

    private string CopySample(string name, Func<string, string> editSpec)
    {
        var data = EnsureCorpus();
        var source = Path.Combine(PackagedTool.RepositoryRoot, "samples", "AppWithModel");
        var root = Path.Combine(_root, name);
        var app = Path.Combine(root, "AppWithModel");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            // The keyword model only: the phrase model's spec and corpus (phrases.compress.yaml, phrases/) would add
            // its own compression to every build here; run-sample.sh builds the sample with both.
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "data" or "phrases" or "phrases.compress.yaml")
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

        Directory.CreateSymbolicLink(Path.Combine(app, "data"), data);
        var spec = Path.Combine(app, "compress.yaml");
        var text = editSpec(File.ReadAllText(spec));
        // Both builds share one feature cache, so the second does not recompute the corpus's features.
        File.WriteAllText(spec, text.Replace("cache: obj/compress-cache", $"cache: {Path.Combine(_root, "feature-cache")}", StringComparison.Ordinal));
        return app;
    }
}
