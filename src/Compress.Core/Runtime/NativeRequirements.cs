using Compress.Runtime.Elf;

namespace Compress.Runtime;

/// <summary>A version an image needs from a library that the host's copy does not define (or no copy was found).</summary>
/// <param name="File">The needed library, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="ProviderPath">The host library that was checked, or null when none was found.</param>
public sealed record UnmetRequirement(string File, string Version, string? ProviderPath)
{
    /// <inheritdoc />
    public override string ToString() => ProviderPath is null
        ? $"{Version} of {File} (no {File} found)"
        : $"{Version} of {File} (not defined by {ProviderPath})";
}

/// <summary>
/// A requirement that is a pure link marker: the symbols that carry it are never called, so removing the
/// requirement changes no behaviour. Only entries of <see cref="Known"/> are ever removed.
/// </summary>
/// <param name="File">The library.</param>
/// <param name="Version">The version.</param>
/// <param name="Symbols">The only symbols allowed to carry it (mangled names).</param>
/// <param name="Reason">Why it is safe, for messages and docs.</param>
public sealed record RemovableRequirement(string File, string Version, IReadOnlySet<string> Symbols, string Reason)
{
    /// <summary>
    /// GCC 13 marks every object that includes &lt;iostream&gt; with a reference to
    /// <c>std::ios_base_library_init()</c> at <c>GLIBCXX_3.4.32</c> so that linking against an older libstdc++
    /// fails early; the function is empty and is never called through that reference.
    /// </summary>
    public static readonly RemovableRequirement IosBaseLibraryInit = new(
        "libstdc++.so.6",
        "GLIBCXX_3.4.32",
        new HashSet<string>(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" },
        "std::ios_base_library_init() is a GCC 13 link marker that is never called");

    /// <summary>Every requirement Compress knows how to remove.</summary>
    public static readonly IReadOnlyList<RemovableRequirement> Known = [IosBaseLibraryInit];
}

/// <summary>Checks an image's <c>.gnu.version_r</c> against the host libraries.</summary>
public static class NativeRequirements
{
    /// <summary>Every version the image needs that the host does not provide, in the image's order.</summary>
    public static IReadOnlyList<UnmetRequirement> FindUnmet(ElfImage image, SharedLibraryLocator locator)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(locator);
        var unmet = new List<UnmetRequirement>();
        foreach (var need in image.VersionNeeds)
        {
            var provider = locator.Find(need.File);
            var defined = provider is null ? null : new HashSet<string>(provider.VersionDefinitions, StringComparer.Ordinal);
            foreach (var version in need.Versions)
            {
                if (defined is null || !defined.Contains(version.Name))
                {
                    unmet.Add(new UnmetRequirement(need.File, version.Name, provider?.Path));
                }
            }
        }

        return unmet;
    }
}
