namespace Compress.Spec.Yaml;

/// <summary>
/// A YAML node with the place it was written, kept by the spec parser so every diagnostic can point at a line.
/// Unlike YamlDotNet's representation model this tree keeps duplicate keys (they are reported, not thrown).
/// </summary>
internal abstract record YamlNode(SpecLocation Location)
{
    /// <summary>What the node is, for "expected a number, got a list" messages.</summary>
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="Plain"/> is false for quoted and block scalars, which are always strings.</summary>
internal sealed record YamlScalar(string Value, bool Plain, SpecLocation Location) : YamlNode(Location)
{
    /// <summary>True for a plain <c>null</c>, <c>~</c> or empty value.</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : Plain ? $"'{Value}'" : $"the string '{Value}'";
}

/// <summary>A sequence (<c>[a, b]</c> or a block list).</summary>
internal sealed record YamlSequence(IReadOnlyList<YamlNode> Items, SpecLocation Location) : YamlNode(Location)
{
    public override string Describe() => "a list";
}

/// <summary>One <c>key: value</c> entry of a mapping; <see cref="KeyLocation"/> is where the key is written.</summary>
internal sealed record YamlEntry(string Key, SpecLocation KeyLocation, YamlNode Value);

/// <summary>A mapping, entries in document order (duplicates included).</summary>
internal sealed record YamlMapping(List<YamlEntry> Entries, SpecLocation Location) : YamlNode(Location)
{
    public override string Describe() => "a mapping";
}
