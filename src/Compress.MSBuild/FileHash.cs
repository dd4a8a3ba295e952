using System.Security.Cryptography;
using System.Text;

namespace Compress.MSBuild;

/// <summary>SHA-256 helpers; hashes are lower-case hex, as in the tool's manifest.</summary>
internal static class FileHash
{
    /// <summary>The SHA-256 of a file's bytes, streamed.</summary>
    public static string Sha256(string path)
    {
        using var sha = SHA256.Create();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Hex(sha.ComputeHash(stream));
    }

    private static string Hex(byte[] bytes)
    {
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            builder.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
