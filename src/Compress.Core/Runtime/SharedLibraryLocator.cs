using Compress.Runtime.Elf;

namespace Compress.Runtime;

/// <summary>
/// Finds the shared object that the dynamic loader would bind for a <c>DT_NEEDED</c> name, so that its
/// <c>.gnu.version_d</c> can be checked before anything is loaded. A library already mapped into this
/// process wins (the loader reuses it; the .NET host has libstdc++ and libc mapped), then the image's own
/// folder (libtorch ships its dependencies beside LibTorchSharp), then <c>LD_LIBRARY_PATH</c>, then the
/// standard multiarch folders.
/// </summary>
public sealed class SharedLibraryLocator
{
    private static readonly string[] StandardFolders =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
    ];

    private readonly IReadOnlyList<string> _loaded;
    private readonly IReadOnlyList<string> _folders;
    private readonly Dictionary<string, ElfImage?> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a locator over explicit lists (tests use this to stand in for a host).</summary>
    /// <param name="loadedLibraries">Full paths of libraries already mapped into the process.</param>
    /// <param name="searchFolders">Folders to search, in order, after the loaded libraries.</param>
    public SharedLibraryLocator(IReadOnlyList<string> loadedLibraries, IReadOnlyList<string> searchFolders)
    {
        _loaded = loadedLibraries;
        _folders = searchFolders;
    }

    /// <summary>A locator for this process: mapped libraries from <c>/proc/self/maps</c>, then <paramref name="imageFolder"/>, <c>LD_LIBRARY_PATH</c> and the standard folders.</summary>
    public static SharedLibraryLocator ForCurrentProcess(string? imageFolder)
    {
        var folders = new List<string>();
        if (imageFolder is not null)
        {
            folders.Add(imageFolder);
        }

        var ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ldPath))
        {
            folders.AddRange(ldPath.Split(':', StringSplitOptions.RemoveEmptyEntries));
        }

        folders.AddRange(StandardFolders);
        return new SharedLibraryLocator(MappedLibraries(), folders);
    }

    /// <summary>Paths of the shared objects mapped into this process (empty where <c>/proc</c> is absent).</summary>
    public static IReadOnlyList<string> MappedLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return [];
        }

        var result = new List<string>();
        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var path = line[slash..].Trim();
            if (path.Contains(".so", StringComparison.Ordinal) && !result.Contains(path))
            {
                result.Add(path);
            }
        }

        return result;
    }

    /// <summary>The library the loader would use for <paramref name="neededName"/>, or null when none is found.</summary>
    public ElfImage? Find(string neededName)
    {
        if (_cache.TryGetValue(neededName, out var cached))
        {
            return cached;
        }

        var found = FindUncached(neededName);
        _cache[neededName] = found;
        return found;
    }

    private ElfImage? FindUncached(string neededName)
    {
        foreach (var path in _loaded)
        {
            var name = System.IO.Path.GetFileName(path);
            if (name == neededName || name.StartsWith(neededName + ".", StringComparison.Ordinal))
            {
                var image = TryLoad(path);
                if (image is not null && (image.SoName ?? name) == neededName)
                {
                    return image;
                }
            }
        }

        foreach (var folder in _folders)
        {
            var candidate = System.IO.Path.Combine(folder, neededName);
            if (File.Exists(candidate))
            {
                var image = TryLoad(candidate);
                if (image is not null)
                {
                    return image;
                }
            }
        }

        return null;
    }

    private static ElfImage? TryLoad(string path)
    {
        try
        {
            return ElfImage.Load(path);
        }
        catch (Exception e) when (e is ElfFormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
