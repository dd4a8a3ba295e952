using System.Security.Cryptography;
using System.Text;
using Compress.Diagnostics;
using Compress.Spec.Parsing;
using Compress.Spec.Yaml;

namespace Compress.Spec;

/// <summary>
/// The strict compress.yaml parser. Unknown keys (with a "did you mean"), duplicate keys, wrong types,
/// out-of-range values, missing required keys and contradictory settings are all reported at once as CMP1xxx
/// diagnostics at their <c>file(line,col)</c>; <c>--set key.path=value</c> overrides are checked the same way
/// and reported at <c>--set(N,col)</c>. The schema is documented in docs/compress-yaml.md.
/// </summary>
public static class SpecParser
{
    /// <summary>The default spec file name.</summary>
    public const string DefaultFileName = "compress.yaml";

    /// <summary>
    /// Parses the spec at <paramref name="path"/>; diagnostics name the file as <paramref name="path"/> is written
    /// and relative paths in it resolve against its folder.
    /// </summary>
    public static SpecParseResult Parse(string path, IReadOnlyList<string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            // Checked before reading: the limit exists so that no spec is read whole into memory unbounded.
            var bytes = new FileInfo(path).Length;
            if (bytes > YamlLimits.MaxBytes)
            {
                return new SpecParseResult(null, [SpecMessages.TooLarge(new SpecLocation(path, 1, 1), bytes, YamlLimits.MaxBytes)]);
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var detail = e is FileNotFoundException or DirectoryNotFoundException ? $"{Path.GetFullPath(path)} does not exist" : e.Message;
            return new SpecParseResult(null, [SpecMessages.Unreadable(path, detail)]);
        }

        return ParseText(text, path, overrides);
    }

    /// <summary>
    /// Parses spec text as if read from <paramref name="file"/>: diagnostics name <paramref name="file"/>, and
    /// relative paths resolve against the folder of <paramref name="file"/> (relative to the current directory).
    /// </summary>
    public static SpecParseResult ParseText(string yaml, string file, IReadOnlyList<string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(file);
        overrides ??= [];
        var context = new SpecContext(file, Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory());
        var tree = YamlTreeLoader.Load(yaml, file, context.Diagnostics);
        if (context.Diagnostics.Count > 0)
        {
            return new SpecParseResult(null, context.Diagnostics);
        }

        if (overrides.Count > 0)
        {
            if (tree is not (null or YamlMapping))
            {
                return new SpecParseResult(SpecBuilder.Build(context, tree, ""), context.Diagnostics);
            }

            tree = SpecOverrides.Apply(tree as YamlMapping ?? new YamlMapping([], context.Top), overrides, context.Diagnostics);
        }

        var spec = SpecBuilder.Build(context, tree, Hash(yaml, overrides));
        return new SpecParseResult(spec, InFileOrder(context.Diagnostics));
    }

    /// <summary>Every dotted key path the schema knows (e.g. <c>pruning.schedule.kind</c>), sorted.</summary>
    public static IReadOnlyList<string> KnownKeys()
    {
        // Every reader asks for all of its keys whatever is written, so reading a skeleton visits the whole schema.
        var context = new SpecContext(DefaultFileName, Directory.GetCurrentDirectory());
        var skeleton = YamlTreeLoader.Load("model:\n  path: m.onnx\n", DefaultFileName, context.Diagnostics);
        SpecBuilder.Build(context, skeleton, "");
        return context.KnownPaths.ToList();
    }

    // The file's problems by line and column, then the overrides' (stable: same place keeps reading order).
    private static List<Diagnostic> InFileOrder(List<Diagnostic> diagnostics) => diagnostics
        .OrderBy(d => d.File == SpecLocation.OverrideFile ? 1 : 0).ThenBy(d => d.Line ?? 0).ThenBy(d => d.Column ?? 0).ToList();

    private static string Hash(string yaml, IReadOnlyList<string> overrides)
    {
        var text = new StringBuilder(yaml);
        foreach (var o in overrides)
        {
            text.Append('\n').Append(o);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
