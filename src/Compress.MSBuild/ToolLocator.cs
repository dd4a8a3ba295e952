using System.Runtime.InteropServices;

namespace Compress.MSBuild;

/// <summary>
/// Finds dotnet-compress, in this order: <c>$(CompressToolPath)</c>; a local tool manifest
/// (<c>.config/dotnet-tools.json</c> or <c>dotnet-tools.json</c>, searched upward from the project, stopping at
/// one marked <c>isRoot</c>) that lists the <c>dotnet-compress</c> command; a <c>dotnet-compress</c> on PATH;
/// <c>~/.dotnet/tools/dotnet-compress</c>. Reads only small files: no process is started.
/// </summary>
public static class ToolLocator
{
    /// <summary>The tool's command name.</summary>
    public const string CommandName = "dotnet-compress";

    /// <summary>
    /// Resolves the tool. Returns null and fills <paramref name="lookedIn"/> with every place tried when none is found;
    /// <paramref name="explicitPath"/> that does not exist is reported by the caller (CMP0002), not searched past.
    /// </summary>
    /// <param name="explicitPath"><c>$(CompressToolPath)</c> (relative to <paramref name="startDirectory"/>), or empty.</param>
    /// <param name="startDirectory">Where the local-manifest search starts (the project folder).</param>
    /// <param name="environment">Reads environment variables (PATH, HOME, DOTNET_HOST_PATH); injectable for tests.</param>
    public static ToolLocation? Locate(string? explicitPath, string startDirectory, Func<string, string?> environment, List<string> lookedIn)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            var full = Path.GetFullPath(Path.Combine(startDirectory, explicitPath));
            lookedIn.Add("CompressToolPath=" + full);
            return File.Exists(full) ? FromExecutable(ToolSource.Explicit, full) : null;
        }

        var local = FindInLocalManifest(startDirectory, environment, lookedIn);
        if (local is not null)
        {
            return local;
        }

        var fileName = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? CommandName + ".exe" : CommandName;
        foreach (var folder in (environment("PATH") ?? "").Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = SafeCombine(folder, fileName);
            if (candidate is not null && File.Exists(candidate))
            {
                return FromExecutable(ToolSource.Global, candidate);
            }
        }

        lookedIn.Add("PATH");
        var home = environment("HOME") ?? environment("USERPROFILE");
        if (!string.IsNullOrEmpty(home))
        {
            var candidate = Path.Combine(home, ".dotnet", "tools", fileName);
            lookedIn.Add(candidate);
            if (File.Exists(candidate))
            {
                return FromExecutable(ToolSource.Global, candidate);
            }
        }

        return null;
    }

    private static ToolLocation? FindInLocalManifest(string startDirectory, Func<string, string?> environment, List<string> lookedIn)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var manifest in new[] { Path.Combine(dir.FullName, ".config", "dotnet-tools.json"), Path.Combine(dir.FullName, "dotnet-tools.json") })
            {
                if (!File.Exists(manifest))
                {
                    continue;
                }

                lookedIn.Add(manifest);
                var (package, version, isRoot) = ReadToolManifest(manifest);
                if (package is not null)
                {
                    var host = environment("DOTNET_HOST_PATH");
                    var executable = string.IsNullOrEmpty(host) ? "dotnet" : host!;
                    return new ToolLocation(ToolSource.LocalManifest, executable, "tool run " + CommandName, $"local|{manifest}|{package}|{version}", dir.FullName);
                }

                if (isRoot)
                {
                    lookedIn.Add("(" + manifest + " is a root manifest: search stopped)");
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>Reads a dotnet-tools.json: the package providing dotnet-compress (or null), its version, and isRoot.</summary>
    internal static (string? Package, string? Version, bool IsRoot) ReadToolManifest(string path)
    {
        try
        {
            if (JsonReader.Parse(File.ReadAllText(path)) is not Dictionary<string, object?> root)
            {
                return (null, null, false);
            }

            var isRoot = root.TryGetValue("isRoot", out var r) && r is true;
            if (root.TryGetValue("tools", out var t) && t is Dictionary<string, object?> tools)
            {
                foreach (var tool in tools)
                {
                    if (tool.Value is Dictionary<string, object?> entry
                        && entry.TryGetValue("commands", out var c) && c is List<object?> commands
                        && commands.Any(command => command as string == CommandName))
                    {
                        return (tool.Key, entry.TryGetValue("version", out var v) ? v as string : null, isRoot);
                    }
                }
            }

            return (null, null, isRoot);
        }
        catch (Exception e) when (e is IOException || e is FormatException || e is UnauthorizedAccessException)
        {
            return (null, null, false);
        }
    }

    private static ToolLocation FromExecutable(ToolSource source, string path)
    {
        // A global or tool-path install keeps its package under .store/<id>/<version>/ next to the shim, and the
        // shim's bytes may not change between versions: the installed versions are part of the identity.
        // A framework-dependent app host (a tool built from source) is a generic launcher: the code is in NAME.dll.
        var identity = source + "|" + path + "|" + FileHash.Sha256(path);
        foreach (var assembly in new[] { path + ".dll", Path.ChangeExtension(path, ".dll") }.Distinct())
        {
            if (File.Exists(assembly) && assembly != path)
            {
                identity += "|" + FileHash.Sha256(assembly);
                break;
            }
        }

        var store = Path.Combine(Path.GetDirectoryName(path) ?? ".", ".store");
        if (Directory.Exists(store))
        {
            var versions = Directory.GetDirectories(store)
                .Where(d => Path.GetFileName(d).StartsWith("compress", StringComparison.OrdinalIgnoreCase))
                .SelectMany(Directory.GetDirectories)
                .Select(d => Path.GetFileName(Path.GetDirectoryName(d)) + "/" + Path.GetFileName(d))
                .OrderBy(v => v, StringComparer.Ordinal);
            identity += "|" + string.Join(",", versions);
        }

        return new ToolLocation(source, path, "", identity, null);
    }

    private static string? SafeCombine(string folder, string fileName)
    {
        try
        {
            return Path.Combine(folder.Trim('"'), fileName);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
