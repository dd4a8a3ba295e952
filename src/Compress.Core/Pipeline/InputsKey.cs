using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compress.Pipeline;

// One source, two assemblies: compiled into Compress.Core (the manifest's inputsKey, `dotnet compress hash`) and into
// Compress.MSBuild (the stamp's up-to-date check), so the cache key CI computes and the key the task compares can not
// drift. Keep it dependency-free and netstandard2.0-compatible: BCL only, no spans, no Convert.ToHexString.

/// <summary>
/// The inputs key: a SHA-256 (lower-case hex) over everything about a run's inputs that decides whether
/// Compress.MSBuild must run the tool again — the tool version, the spec's full path, every input file (spec, model,
/// each data file) with its full path and SHA-256, and, for every folder holding inputs, the names of the files there
/// with the same extension (an added or deleted clip changes the key). Equal keys mean equal inputs; the task
/// additionally compares the tool's location and the item's <c>ExtraArguments</c>, which are not part of the key.
/// </summary>
internal static class InputsKey
{
    /// <summary>First line of <see cref="Text"/>; changes whenever the text's meaning changes.</summary>
    public const string Header = "compress-inputs 1";

    /// <summary>The key of <see cref="Text"/>.</summary>
    /// <param name="spec">Full path of the compress.yaml.</param>
    /// <param name="inputs">Every input as (path, SHA-256); relative paths are relative to the spec's folder.</param>
    public static string Compute(string toolVersion, string spec, IEnumerable<KeyValuePair<string, string>> inputs) =>
        Sha256OfText(Text(toolVersion, spec, inputs));

    /// <summary>
    /// The text the key hashes, one fact a line: <c>tool VERSION</c>, <c>spec PATH</c>, <c>input SHA256 PATH</c> per
    /// input (sorted by full path), and <c>listing COUNT SHA256-OF-NAMES FOLDER *.EXT</c> per folder and extension
    /// (the names sorted, joined by newlines, read now).
    /// </summary>
    public static string Text(string toolVersion, string spec, IEnumerable<KeyValuePair<string, string>> inputs)
    {
        var specPath = Path.GetFullPath(spec);
        var specDirectory = Path.GetDirectoryName(specPath) ?? ".";
        var files = inputs
            .Select(i => new KeyValuePair<string, string>(Resolve(i.Key, specDirectory), i.Value.ToLowerInvariant()))
            .OrderBy(i => i.Key, StringComparer.Ordinal)
            .ToList();
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("tool ").Append(toolVersion).Append('\n');
        text.Append("spec ").Append(specPath).Append('\n');
        foreach (var file in files)
        {
            text.Append("input ").Append(file.Value).Append(' ').Append(file.Key).Append('\n');
        }

        var groups = files
            .Select(f => (Directory: Path.GetDirectoryName(f.Key) ?? ".", Extension: Path.GetExtension(f.Key)))
            .Distinct()
            .OrderBy(g => g.Directory, StringComparer.Ordinal).ThenBy(g => g.Extension, StringComparer.Ordinal);
        foreach (var (directory, extension) in groups)
        {
            var names = Directory.Exists(directory)
                ? Directory.GetFiles(directory, "*" + extension)
                    .Where(f => string.Equals(Path.GetExtension(f), extension, StringComparison.Ordinal))
                    .Select(f => Path.GetFileName(f)!).OrderBy(n => n, StringComparer.Ordinal).ToList()
                : new List<string>();
            text.Append("listing ").Append(names.Count.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(Sha256OfText(string.Join("\n", names))).Append(' ')
                .Append(directory).Append(" *").Append(extension).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>An input path as a manifest records it: absolute as written, or relative to the spec's folder.</summary>
    public static string Resolve(string path, string specDirectory) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(specDirectory, path));

    /// <summary>The SHA-256 of a string's UTF-8 bytes, lower-case hex.</summary>
    public static string Sha256OfText(string text)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
