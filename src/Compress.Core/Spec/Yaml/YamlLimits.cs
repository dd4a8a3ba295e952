namespace Compress.Spec.Yaml;

/// <summary>
/// Bounds on a compress.yaml, checked while it is read so that no input can exhaust the stack or memory
/// (issue 18). A real spec is a few kilobytes, nests four levels and uses no aliases; the limits are far above that.
/// </summary>
public static class YamlLimits
{
    /// <summary>The largest spec accepted, in bytes (UTF-8 file size, or characters of text): CMP1050.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>How deep lists and mappings may nest (the document's root is depth 1): CMP1051.</summary>
    public const int MaxDepth = 64;

    /// <summary>How many anchors plus aliases a spec may hold: CMP1052.</summary>
    public const int MaxAliases = 100;

    /// <summary>
    /// How many nodes the document may have with every alias expanded (what a reader walking the tree visits):
    /// CMP1052. Stops "billion laughs", where few aliases expand exponentially.
    /// </summary>
    public const int MaxExpandedNodes = 100_000;

    /// <summary>The longest scalar accepted, in characters: CMP1053.</summary>
    public const int MaxScalarLength = 65_536;
}
