namespace Compress.MSBuild.Tests;

public sealed class ToolLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-locator-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ExplicitPath_WinsOverEverything_AndMissingOneIsNotSearchedPast()
    {
        var tool = Touch("explicit/dotnet-compress");
        var onPath = Touch("bin/dotnet-compress");
        WriteManifest("repo/.config/dotnet-tools.json", isRoot: false, "dotnet-compress");
        var project = Directory.CreateDirectory(Path.Combine(_root, "repo", "app")).FullName;

        var found = ToolLocator.Locate(tool, project, Env(path: Path.GetDirectoryName(onPath)), new List<string>());
        var missing = ToolLocator.Locate(Path.Combine(_root, "nope"), project, Env(path: Path.GetDirectoryName(onPath)), new List<string>());

        Assert.Equal((ToolSource.Explicit, tool), (found!.Source, found.Executable));
        Assert.Null(missing);
    }

    [Fact]
    public void LocalManifest_UpwardFromTheProject_RunsThroughDotnetToolRun()
    {
        var manifest = WriteManifest("repo/.config/dotnet-tools.json", isRoot: true, "dotnet-compress");
        var project = Directory.CreateDirectory(Path.Combine(_root, "repo", "src", "app")).FullName;

        var found = ToolLocator.Locate(null, project, Env(host: "/usr/share/dotnet/dotnet", path: Path.GetDirectoryName(Touch("bin/dotnet-compress"))), new List<string>());

        Assert.Equal(ToolSource.LocalManifest, found!.Source);
        Assert.Equal("/usr/share/dotnet/dotnet", found.Executable);
        Assert.Equal("tool run dotnet-compress", found.ArgumentPrefix);
        Assert.Contains("compress.tool|0.1.0", found.Identity, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_root, "repo"), found.WorkingDirectory);
        Assert.Contains(manifest, found.Identity, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalManifest_WithoutTheCommand_IsSkipped_AndARootOneStopsTheSearch()
    {
        WriteManifest("outer/.config/dotnet-tools.json", isRoot: false, "dotnet-compress");
        WriteManifest("outer/inner/dotnet-tools.json", isRoot: false, "dotnet-ef");
        var project = Directory.CreateDirectory(Path.Combine(_root, "outer", "inner", "app")).FullName;
        var rootProject = Directory.CreateDirectory(Path.Combine(_root, "outer", "rooted", "app")).FullName;
        WriteManifest("outer/rooted/.config/dotnet-tools.json", isRoot: true, "dotnet-ef");

        var skipped = ToolLocator.Locate(null, project, Env(), new List<string>());
        var stopped = ToolLocator.Locate(null, rootProject, Env(), new List<string>());

        Assert.Equal(ToolSource.LocalManifest, skipped!.Source);
        Assert.Null(stopped);
    }

    [Fact]
    public void Global_OnPathThenDotnetTools_AndNothingListsEveryPlaceTried()
    {
        var home = Path.Combine(_root, "home");
        var inTools = Touch("home/.dotnet/tools/dotnet-compress");
        Directory.CreateDirectory(Path.Combine(_root, "home", ".dotnet", "tools", ".store", "compress.tool", "0.1.0"));
        var project = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;

        var found = ToolLocator.Locate(null, project, Env(home: home, path: "/nonexistent"), new List<string>());
        var lookedIn = new List<string>();
        var none = ToolLocator.Locate(null, project, Env(home: Path.Combine(_root, "empty-home"), path: "/nonexistent"), lookedIn);

        Assert.Equal((ToolSource.Global, inTools), (found!.Source, found.Executable));
        Assert.EndsWith("|compress.tool/0.1.0", found.Identity, StringComparison.Ordinal);
        Assert.Null(none);
        Assert.Contains("PATH", lookedIn);
        Assert.Contains(Path.Combine(_root, "empty-home", ".dotnet", "tools", "dotnet-compress"), lookedIn);
    }

    [Fact]
    public void Identity_ChangesWithTheExecutablesContent()
    {
        var tool = Touch("t/dotnet-compress");
        var before = ToolLocator.Locate(tool, _root, Env(), new List<string>())!.Identity;
        File.AppendAllText(tool, "v2");

        Assert.NotEqual(before, ToolLocator.Locate(tool, _root, Env(), new List<string>())!.Identity);
    }

    [Fact]
    public void Identity_OfAnAppHost_ChangesWithItsAssembly()
    {
        var tool = Touch("built/dotnet-compress");
        var assembly = Touch("built/dotnet-compress.dll");
        var before = ToolLocator.Locate(tool, _root, Env(), new List<string>())!.Identity;
        File.AppendAllText(assembly, "rebuilt");

        Assert.NotEqual(before, ToolLocator.Locate(tool, _root, Env(), new List<string>())!.Identity);
    }

    private static Func<string, string?> Env(string? home = null, string? path = null, string? host = null) => name => name switch
    {
        "HOME" => home ?? "/nonexistent-home",
        "PATH" => path ?? "/nonexistent",
        "DOTNET_HOST_PATH" => host,
        _ => null,
    };

    private string Touch(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n");
        return path;
    }

    private string WriteManifest(string relative, bool isRoot, string command)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var package = command == "dotnet-compress" ? "compress.tool" : "dotnet-ef";
        var json = "{\"version\":1,\"isRoot\":" + (isRoot ? "true" : "false") + ",\"tools\":{\"" + package
            + "\":{\"version\":\"0.1.0\",\"commands\":[\"" + command + "\"],\"rollForward\":false}}}";
        File.WriteAllText(path, json);
        return path;
    }
}
