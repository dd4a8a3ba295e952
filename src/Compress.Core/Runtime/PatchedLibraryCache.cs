using System.Security.Cryptography;
using Compress.Runtime.Elf;

namespace Compress.Runtime;

/// <summary>
/// Writes corrected copies of native libraries under <c>&lt;cache&gt;/native/&lt;name&gt;-&lt;sha256 of the original&gt;/</c>.
/// The copy is produced in memory, written to a unique temporary name in the same folder and renamed into
/// place, so concurrent first runs never see a half-written file; an existing copy is reused only when its
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

        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(expected);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

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
