using Compress.Tests.Shared;

namespace Compress.Tool.Tests;

/// <summary>The tool as users get it: packed, installed from a local feed into a tool path, run as a process.</summary>
public sealed class InstalledToolTests : IDisposable
{
    private readonly string _toolPath = Directory.CreateTempSubdirectory("compress-tool-").FullName;

    public void Dispose() => Directory.Delete(_toolPath, recursive: true);

    [Fact]
    public void InstalledTool_Doctor_ReportsThatTrainingWorks()
    {
        var tool = PackagedTool.InstallInto(_toolPath);
        var cache = Path.Combine(_toolPath, "cache");

        // COMPRESS_ONEDNN empty = unset: the installed tool's default applies.
        var (exit, output) = PackagedTool.Run(tool, _toolPath, new Dictionary<string, string> { ["COMPRESS_CACHE_HOME"] = cache, ["COMPRESS_ONEDNN"] = "" }, "doctor");

        Assert.True(exit == 0, output);
        Assert.Contains("Training is possible on this machine.", output, StringComparison.Ordinal);
        // The tool runs one job per process, so its default is `auto`, and doctor shows what oneDNN does with the self-test's shapes here.
        Assert.Matches(@"oneDNN\s+auto \(off, except while a run fine-tunes", output);
        Assert.Matches(@"oneDNN check\s+oneDNN computes (all 10 cases right here|\d+ of 10 cases wrongly here)", output);
        Assert.Matches(@"training\s+works \(smoke-test loss", output);
        Assert.Matches($@"tool\s+{System.Text.RegularExpressions.Regex.Escape(PackagedTool.Version)}", output);
        Assert.Contains(Path.Combine(_toolPath, ".store"), output, StringComparison.Ordinal);

        // The package leaves out libtorch's Python and test libraries; training works without them.
        var installed = Directory.GetFiles(Path.Combine(_toolPath, ".store"), "*.so", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("libtorch_cpu.so", installed);
        Assert.DoesNotContain("libtorch_python.so", installed);
        Assert.DoesNotContain("libtorchbind_test.so", installed);

        // The corrected copy, when needed, is written to the per-user cache, never into the install folder.
        if (output.Contains("compatibility fix  applied", StringComparison.Ordinal))
        {
            Assert.Single(Directory.GetFiles(Path.Combine(cache, "native"), "libLibTorchSharp.so", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void PackedToolPackages_StayUnderTheNuGetOrgLimit()
    {
        var feed = PackagedTool.EnsurePacked();
        var packages = Directory.GetFiles(feed, "Compress.Tool*.nupkg");
        Assert.Equal(2, packages.Length);
        Assert.All(packages, p => Assert.True(new FileInfo(p).Length < 250L * 1024 * 1024, $"{p} is {new FileInfo(p).Length} bytes"));
    }
}
