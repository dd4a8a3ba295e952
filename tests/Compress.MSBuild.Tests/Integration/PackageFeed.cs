using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// Packs src/Compress.MSBuild once per test run into a temporary local feed, with an isolated NuGet package
/// folder, shared by every integration test (xunit collection fixture).
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public PackageFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "compress-msbuild-tests", Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);
        var project = Path.Combine(PackagedTool.RepositoryRoot, "src", "Compress.MSBuild", "Compress.MSBuild.csproj");
        var (exit, output) = PackagedTool.Run("dotnet", Root, null, "pack", project, "-c", "Release", "-o", Feed, "-nologo", "-v:q", "-nodeReuse:false");
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet pack Compress.MSBuild failed ({exit}):\n{output}");
        }

        Version = PackagedTool.Version;
    }

    /// <summary>The temporary folder holding the feed, the package cache and every test project.</summary>
    public string Root { get; }

    /// <summary>The local feed with Compress.MSBuild.VERSION.nupkg.</summary>
    public string Feed { get; }

    /// <summary>The NuGet global packages folder the test builds use (so a re-pack of the same version is never stale).</summary>
    public string Packages { get; }

    public string Version { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build node may still hold a file for a moment; the folder is under the temp directory.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "Compress.MSBuild package feed";
}
