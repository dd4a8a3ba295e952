using System.Text.RegularExpressions;
using Compress.Diagnostics;
using Compress.Spec.Yaml;

namespace Compress.Spec.Parsing;

/// <summary>
/// Applies <c>--set key.path=value</c> overrides to the YAML tree before it is read, so they are validated
/// exactly like the file. The value is YAML (<c>0.8</c>, <c>max</c>, <c>[yes, no]</c>, <c>"quoted"</c>); an empty
/// value is null (the key's default). Locations are <c>--set(N,C)</c>: the N-th override, 1-based column C in
/// its text.
/// </summary>
internal static partial class SpecOverrides
{
    /// <summary>Applies every override to <paramref name="root"/> (a new root is made when the file is empty).</summary>
    public static YamlMapping Apply(YamlMapping root, IReadOnlyList<string> overrides, List<Diagnostic> diagnostics)
    {
        for (var i = 0; i < overrides.Count; i++)
        {
            ApplyOne(root, overrides[i], i + 1, diagnostics);
        }

        return root;
    }

    private static void ApplyOne(YamlMapping root, string text, int ordinal, List<Diagnostic> diagnostics)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var start = new SpecLocation(SpecLocation.OverrideFile, ordinal, 1);
        if (equals <= 0 || !KeyPath().IsMatch(text[..equals].Trim()))
        {
            diagnostics.Add(SpecMessages.BadOverride(start, text));
            return;
        }

        var valueColumn = equals + 2;
        var valueText = text[(equals + 1)..];
        YamlNode value;
        if (valueText.Trim().Length == 0)
        {
            value = new YamlScalar("", true, new SpecLocation(SpecLocation.OverrideFile, ordinal, valueColumn));
        }
        else
        {
            var parsed = YamlTreeLoader.Load(valueText, SpecLocation.OverrideFile, diagnostics, mark => new SpecLocation(SpecLocation.OverrideFile, ordinal, checked(equals + (int)mark.Column + 1)));
            if (parsed is null)
            {
                return;
            }

            value = parsed;
        }

        var keys = text[..equals].Split('.');
        var mapping = root;
        var column = 1;
        for (var k = 0; k < keys.Length; k++)
        {
            var keyLocation = new SpecLocation(SpecLocation.OverrideFile, ordinal, column);
            var index = mapping.Entries.FindIndex(e => e.Key == keys[k]);
            if (k == keys.Length - 1)
            {
                var entry = new YamlEntry(keys[k], keyLocation, value);
                if (index >= 0)
                {
                    mapping.Entries[index] = entry;
                }
                else
                {
                    mapping.Entries.Add(entry);
                }

                return;
            }

            var path = string.Join('.', keys[..(k + 1)]);
            switch (index < 0 ? null : mapping.Entries[index].Value)
            {
                case YamlMapping child:
                    mapping = child;
                    break;
                case null or YamlScalar { IsNull: true }:
                    var created = new YamlMapping([], keyLocation);
                    var createdEntry = new YamlEntry(keys[k], keyLocation, created);
                    if (index >= 0)
                    {
                        mapping.Entries[index] = createdEntry;
                    }
                    else
                    {
                        mapping.Entries.Add(createdEntry);
                    }

                    mapping = created;
                    break;
                case var other:
                    diagnostics.Add(SpecMessages.WrongType(keyLocation, path, $"a mapping to set '{string.Join('.', keys)}'", other.Describe()));
                    return;
            }

            column += keys[k].Length + 1;
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex KeyPath();
}
