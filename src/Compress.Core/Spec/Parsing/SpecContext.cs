using Compress.Diagnostics;

namespace Compress.Spec.Parsing;

/// <summary>State shared by the section readers of one parse: diagnostics, the places of written keys, the schema seen.</summary>
internal sealed class SpecContext(string file, string folder)
{
    /// <summary>The spec's name in diagnostics.</summary>
    public string File { get; } = file;

    /// <summary>Absolute folder relative paths resolve against.</summary>
    public string Folder { get; } = folder;

    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>Dotted path → where its value is written (only keys present in the text or overrides).</summary>
    public Dictionary<string, SpecLocation> Locations { get; } = new(StringComparer.Ordinal);

    /// <summary>Every dotted path the readers asked for (the schema, collected as it is read).</summary>
    public SortedSet<string> KnownPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>The top of the file, for problems that have no better place.</summary>
    public SpecLocation Top => new(File, 1, 1);

    public void Add(Diagnostic diagnostic) => Diagnostics.Add(diagnostic);

    /// <summary>Resolves <paramref name="path"/> against the spec's folder (absolute paths stay).</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.Combine(Folder, path));
}
