using System.Security.Cryptography;
using Compress.IO;
using Compress.Runtime.Elf;

namespace Compress.Runtime;

/// <summary>
/// Writes corrected copies of native libraries under <c>&lt;cache&gt;/native/&lt;name&gt;-&lt;sha256 of the original&gt;/</c>.
/// The copy is produced in memory and written with <see cref="AtomicFile"/> (temporary name, then rename), so
/// concurrent first runs never see a half-written file; an existing copy is reused only when its
/// bytes are exactly the expected ones.
/// </summary>
public static class PatchedLibraryCache
{
    /// <summary>
    /// Returns the path of <paramref name="original"/> with <paramref name="removals"/> applied, creating it if
    /// needed. <paramref name="original"/>'s bytes are not modified.
    /// </summary>
    public static string GetOrCreate(ElfImage original, IReadOnlyList<RemovableRequirement> removals, string cacheRoot)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(removals);
        var expected = Apply(original, removals);
        var hash = Convert.ToHexStringLower(SHA256.HashData(original.Bytes.Span));
        var fileName = Path.GetFileName(original.Path);
        var folder = Path.Combine(cacheRoot, "native", $"{Path.GetFileNameWithoutExtension(fileName)}-{hash[..32]}");
        var target = Path.Combine(folder, fileName);
        if (File.Exists(target) && ContentEquals(target, expected))
        {
            return target;
        }

        AtomicFile.WriteAllBytes(target, expected);
        return target;
    }

    /// <summary>Applies every removal, in order, and returns the edited bytes.</summary>
    public static byte[] Apply(ElfImage original, IReadOnlyList<RemovableRequirement> removals)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(removals);
        var image = original;
        foreach (var removal in removals)
        {
            var result = VersionRequirementRemover.Remove(image, removal.File, removal.Version, removal.Symbols);
            image = ElfImage.Parse(result.Image, original.Path);
        }

        return image.Bytes.ToArray();
    }

    private static bool ContentEquals(string path, byte[] expected)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Length == expected.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(expected);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
