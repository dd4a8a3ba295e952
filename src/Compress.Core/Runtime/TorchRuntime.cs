using System.Reflection;
using System.Runtime.InteropServices;
using Compress.Diagnostics;
using Compress.Runtime.Elf;

namespace Compress.Runtime;

/// <summary>
/// Makes TorchSharp's native library loadable on every Linux that .NET runs on. Call <see cref="Initialize"/>
/// before the first use of <c>TorchSharp.torch</c>.
/// <para>
/// When the host's libraries define every version that <c>libLibTorchSharp.so</c> needs, nothing is done and
/// TorchSharp loads its own files. When the only unmet requirements are known link markers
/// (<see cref="RemovableRequirement.Known"/>, today GLIBCXX_3.4.32 on Debian 12 / Ubuntu 22.04), a corrected copy
/// is prepared in the user cache (<see cref="PatchedLibraryCache"/>), libtorch's own libraries are loaded from
/// their folder, then the copy; TorchSharp's lookups of <c>LibTorchSharp</c> then bind to the copy (by a
/// <see cref="NativeLibrary.SetDllImportResolver"/> and by its SONAME, which the loader matches for the bare name).
/// Anything else unmet, or an ELF layout the reader does not fully understand, is a CMP01xx error naming the file.
/// </para>
/// <para>
/// Before libtorch runs it also sets OpenMP's wait policy (<see cref="OpenMpWaitPolicy"/>) and switches libtorch's
/// oneDNN convolutions off (<see cref="OneDnnGuard"/>), which compute wrong results for some channel counts.
/// </para>
/// </summary>
public static class TorchRuntime
{
    private const string LibraryFileName = "libLibTorchSharp.so";
    private static readonly Lock Gate = new();
    private static TorchRuntimeStatus? _status;
    private static IntPtr _handle;

    /// <summary>The status of the first successful <see cref="Initialize"/>, or null before it.</summary>
    public static TorchRuntimeStatus? Status => _status;

    /// <summary>
    /// Prepares native loading once per process and returns what was done. Thread-safe and idempotent.
    /// Throws <see cref="CompressException"/> with a CMP01xx diagnostic when training cannot work here.
    /// </summary>
    public static TorchRuntimeStatus Initialize()
    {
        lock (Gate)
        {
            if (_status is not null)
            {
                return _status;
            }

            OpenMpWaitPolicy.Apply(); // before libgomp loads: see OpenMpWaitPolicy
            var status = OperatingSystem.IsLinux() ? InitializeLinux() : new TorchRuntimeStatus("(platform default)", false, "(platform default)", []);

            // Before the first convolution: see OneDnnGuard.
            _status = status with { OneDnn = OneDnnGuard.Apply(Path.GetDirectoryName(status.NativeLibraryPath) ?? ".") };
            return _status;
        }
    }

    /// <summary>The folders searched for <c>libLibTorchSharp.so</c>, in order.</summary>
    public static IReadOnlyList<string> NativeSearchFolders()
    {
        var folders = new List<string>();
        void Add(string? folder)
        {
            if (!string.IsNullOrEmpty(folder) && !folders.Contains(folder))
            {
                folders.Add(folder);
            }
        }

        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            foreach (var folder in searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                Add(Path.TrimEndingDirectorySeparator(folder));
            }
        }

        var rid = RuntimeInformation.RuntimeIdentifier;
        var torchFolder = Path.GetDirectoryName(TorchAssembly.Location);
        foreach (var root in new[] { torchFolder, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(root))
            {
                continue;
            }

            Add(Path.TrimEndingDirectorySeparator(root));
            Add(Path.Combine(root, "runtimes", rid, "native"));
            Add(Path.Combine(root, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native"));
        }

        return folders;
    }

    /// <summary>The packaged native library, or null when it is in none of <see cref="NativeSearchFolders"/>.</summary>
    public static string? FindPackagedLibrary() =>
        NativeSearchFolders().Select(f => Path.Combine(f, LibraryFileName)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Decides what must be removed from <paramref name="image"/> for this host: empty when nothing is unmet.
    /// Throws <see cref="CompressException"/> (CMP0102) when an unmet requirement is not a known marker.
    /// </summary>
    public static IReadOnlyList<RemovableRequirement> PlanRemovals(ElfImage image, SharedLibraryLocator locator)
    {
        ArgumentNullException.ThrowIfNull(image);
        var unmet = NativeRequirements.FindUnmet(image, locator);
        var removals = new List<RemovableRequirement>();
        var blocking = new List<UnmetRequirement>();
        foreach (var requirement in unmet)
        {
            var known = RemovableRequirement.Known.FirstOrDefault(k => k.File == requirement.File && k.Version == requirement.Version);
            if (known is not null && requirement.ProviderPath is not null)
            {
                removals.Add(known);
            }
            else
            {
                blocking.Add(requirement);
            }
        }

        if (blocking.Count > 0)
        {
            throw new CompressException(RuntimeMessages.UnmetRequirement(
                image.Path, blocking.Select(b => new RuntimeMessages.UnmetRequirementText(b.ToString()))));
        }

        return removals;
    }

    private static Assembly TorchAssembly => typeof(TorchSharp.torch).Assembly;

    private static TorchRuntimeStatus InitializeLinux()
    {
        var original = FindPackagedLibrary()
            ?? throw new CompressException(RuntimeMessages.NativeLibraryMissing(LibraryFileName, NativeSearchFolders()));
        var folder = Path.GetDirectoryName(original)!;
        ElfImage image;
        IReadOnlyList<RemovableRequirement> removals;
        try
        {
            image = ElfImage.Load(original);
            removals = PlanRemovals(image, SharedLibraryLocator.ForCurrentProcess(folder));
        }
        catch (ElfFormatException e)
        {
            throw new CompressException(RuntimeMessages.UnsupportedLayout(e.Path, e.Detail), e);
        }

        if (removals.Count == 0)
        {
            return new TorchRuntimeStatus(original, false, original, []);
        }

        string patched;
        try
        {
            patched = PatchedLibraryCache.GetOrCreate(image, removals, CompressPaths.UserCacheRoot);
        }
        catch (ElfFormatException e)
        {
            throw new CompressException(RuntimeMessages.UnsupportedLayout(e.Path, e.Detail), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompressException(RuntimeMessages.LoadFailed(CompressPaths.UserCacheRoot, $"cannot write the corrected copy: {e.Message}"), e);
        }

        // libtorch's libraries resolve each other through RUNPATH=$ORIGIN; the copy lives elsewhere, so load its
        // dependencies from the package folder first and the loader matches them by SONAME.
        foreach (var needed in image.Needed)
        {
            var dependency = Path.Combine(folder, needed);
            if (File.Exists(dependency))
            {
                Load(dependency);
            }
        }

        _handle = Load(patched);
        try
        {
            NativeLibrary.SetDllImportResolver(TorchAssembly, static (name, _, _) =>
                name is "LibTorchSharp" or LibraryFileName ? _handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // Another component set a resolver for TorchSharp already; the SONAME match still binds the copy.
        }

        return new TorchRuntimeStatus(
            original,
            true,
            patched,
            removals.Select(r => $"{r.Version} of {r.File}").ToList());
    }

    private static IntPtr Load(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new CompressException(RuntimeMessages.LoadFailed(path, e.Message), e);
        }
    }
}
