using System.Text;
using Compress.Diagnostics;
using Compress.Runtime;
using Compress.Runtime.Elf;

namespace Compress.Core.Tests.Runtime;

public sealed class NativeCompatibilityTests : IDisposable
{
    private static readonly string[] SystemFolders = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"];
    private readonly string _temp = Directory.CreateTempSubdirectory("compress-native-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static ElfImage Packaged => ElfImage.Load(TorchRuntime.FindPackagedLibrary()!);

    private static ElfImage HostLibStdCxx => SharedLibraryLocator.ForCurrentProcess(null).Find("libstdc++.so.6")
        ?? throw new InvalidOperationException("no libstdc++ on this machine");

    /// <summary>A copy of the host libstdc++ whose version definition <paramref name="from"/> is renamed <paramref name="to"/> (same length).</summary>
    private string FakeLibStdCxx(string from, string to)
    {
        var bytes = HostLibStdCxx.Bytes.ToArray();
        var needle = Encoding.ASCII.GetBytes(from + "\0");
        var at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, $"{from} not found in the host libstdc++");
        Encoding.ASCII.GetBytes(to + "\0").CopyTo(bytes, at);
        var folder = Directory.CreateDirectory(Path.Combine(_temp, Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllBytes(Path.Combine(folder, "libstdc++.so.6"), bytes);
        return folder;
    }

    [Fact]
    public void PlanRemovals_HostWithout3432_RemovesOnlyTheMarker()
    {
        Assert.DoesNotContain("GLIBCXX_3.4.32", HostLibStdCxx.VersionDefinitions);
        var removals = TorchRuntime.PlanRemovals(Packaged, new SharedLibraryLocator([], SystemFolders));
        Assert.Equal([RemovableRequirement.IosBaseLibraryInit], removals);
    }

    [Fact]
    public void PlanRemovals_HostThatProvides3432_DoesNothing()
    {
        var folder = FakeLibStdCxx("GLIBCXX_3.4.28", "GLIBCXX_3.4.32");
        var removals = TorchRuntime.PlanRemovals(Packaged, new SharedLibraryLocator([], [folder, .. SystemFolders]));
        Assert.Empty(removals);
    }

    [Fact]
    public void PlanRemovals_AnyOtherUnmetVersion_IsRefusedNamingFileAndVersion()
    {
        var folder = FakeLibStdCxx("GLIBCXX_3.4.30", "GLIBCXX_3.4.99");
        var error = Assert.Throws<CompressException>(() =>
            TorchRuntime.PlanRemovals(Packaged, new SharedLibraryLocator([], [folder, .. SystemFolders])));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(RuntimeMessages.UnmetRequirementCode, diagnostic.Code);
        Assert.Equal(Packaged.Path, diagnostic.File);
        Assert.Equal(
            $"this system's libraries do not provide GLIBCXX_3.4.30 of libstdc++.so.6 (not defined by {Path.Combine(folder, "libstdc++.so.6")}), required by the native training library. Only GLIBCXX_3.4.32 (a never-called marker) can be worked around; install a newer libstdc++/glibc or use a newer Linux distribution.",
            diagnostic.Message);
    }

    [Fact]
    public void PlanRemovals_MissingLibrary_IsRefused()
    {
        var error = Assert.Throws<CompressException>(() =>
            TorchRuntime.PlanRemovals(Packaged, new SharedLibraryLocator([], [_temp])));
        Assert.Contains("GLIBC_2.3 of ld-linux-x86-64.so.2 (no ld-linux-x86-64.so.2 found)", error.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_ConcurrentFirstRuns_AllGetTheSameCompleteCopy()
    {
        var image = Packaged;
        var expected = PatchedLibraryCache.Apply(image, [RemovableRequirement.IosBaseLibraryInit]);
        var paths = new string[8];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            paths[i] = PatchedLibraryCache.GetOrCreate(image, [RemovableRequirement.IosBaseLibraryInit], _temp));

        Assert.Single(paths.Distinct());
        Assert.Equal(expected, File.ReadAllBytes(paths[0]));
        Assert.StartsWith(Path.Combine(_temp, "native", "libLibTorchSharp-"), paths[0], StringComparison.Ordinal);
        Assert.Equal(["libLibTorchSharp.so"], Directory.GetFiles(Path.GetDirectoryName(paths[0])!).Select(Path.GetFileName));
    }

    [Fact]
    public void Cache_CorruptedCopy_IsRewritten()
    {
        var image = Packaged;
        var path = PatchedLibraryCache.GetOrCreate(image, [RemovableRequirement.IosBaseLibraryInit], _temp);
        File.WriteAllBytes(path, [1, 2, 3]);
        var again = PatchedLibraryCache.GetOrCreate(image, [RemovableRequirement.IosBaseLibraryInit], _temp);
        Assert.Equal(path, again);
        Assert.Equal(PatchedLibraryCache.Apply(image, [RemovableRequirement.IosBaseLibraryInit]), File.ReadAllBytes(again));
    }

    [Fact]
    public void PatchedCopy_SatisfiesThisHost()
    {
        var patched = ElfImage.Parse(PatchedLibraryCache.Apply(Packaged, [RemovableRequirement.IosBaseLibraryInit]), "patched");
        Assert.Empty(NativeRequirements.FindUnmet(patched, new SharedLibraryLocator([], SystemFolders)));
    }
}
