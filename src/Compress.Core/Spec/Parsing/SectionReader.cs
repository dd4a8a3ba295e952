using System.Globalization;
using System.Text.RegularExpressions;
using Compress.Diagnostics;
using Compress.Spec.Yaml;

namespace Compress.Spec.Parsing;

/// <summary>
/// Reads one mapping of the spec with typed getters. Every getter records its key as known, reports a wrong
/// type or range as a diagnostic and returns the default instead, so reading goes on and all problems are
/// reported at once. <see cref="Finish"/> reports the keys nobody asked for, with a suggestion. An explicit
/// null (<c>key:</c> with no value) counts as absent.
/// </summary>
internal sealed partial class SectionReader
{
    private readonly SpecContext _context;
    private readonly Dictionary<string, YamlEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<YamlEntry> _order = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public SectionReader(SpecContext context, string path, YamlMapping? mapping, SpecLocation location)
    {
        _context = context;
        Path = path;
        Location = location;
        foreach (var entry in mapping?.Entries ?? [])
        {
            if (_entries.TryGetValue(entry.Key, out var first))
            {
                context.Add(SpecMessages.DuplicateKey(entry.KeyLocation, Child(entry.Key), first.KeyLocation));
                continue;
            }

            _entries[entry.Key] = entry;
            _order.Add(entry);
        }
    }

    /// <summary>The section's dotted path ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Where the section's key is written.</summary>
    public SpecLocation Location { get; }

    /// <summary>The dotted path of a key of this section.</summary>
    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>True when <paramref name="key"/> is written with a non-null value (records the key as known).</summary>
    public bool Has(string key) => Node(key) is not null;

    /// <summary>Where the key is written (its value), or the section when absent.</summary>
    public SpecLocation At(string key) => Node(key)?.Location ?? Location;

    /// <summary>Where the key itself is written, or the section when absent.</summary>
    public SpecLocation KeyAt(string key)
    {
        Known(key);
        return _entries.TryGetValue(key, out var e) ? e.KeyLocation : Location;
    }

    /// <summary>The value node, or null when absent or null.</summary>
    public YamlNode? Node(string key)
    {
        Known(key);
        if (!_entries.TryGetValue(key, out var entry) || entry.Value is YamlScalar { IsNull: true })
        {
            return null;
        }

        // A scalar is located at its value (what a problem is about); a mapping or list at its key.
        _context.Locations[Child(key)] = entry.Value is YamlScalar ? entry.Value.Location : entry.KeyLocation;
        return entry.Value;
    }

    /// <summary>A nested mapping section (absent → an empty reader at this section's place).</summary>
    public SectionReader Section(string key)
    {
        var node = Node(key);
        if (node is YamlMapping mapping)
        {
            return new SectionReader(_context, Child(key), mapping, KeyAt(key));
        }

        if (node is not null)
        {
            _context.Add(SpecMessages.WrongType(node.Location, Child(key), "a mapping of keys", node.Describe()));
        }

        return new SectionReader(_context, Child(key), null, node is null ? Location : KeyAt(key));
    }

    public string? String(string key)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                return null;
            case YamlScalar scalar:
                return scalar.Value;
            default:
                _context.Add(SpecMessages.WrongType(node.Location, Child(key), "a string", node.Describe()));
                return null;
        }
    }

    /// <summary>A path resolved against the spec's folder.</summary>
    public string? FilePath(string key) => String(key) is { Length: > 0 } text ? _context.Resolve(text) : null;

    public bool Bool(string key, bool fallback)
    {
        var node = Node(key);
        if (node is null)
        {
            return fallback;
        }

        if (node is YamlScalar { Plain: true } s && s.Value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return s.Value[0] is 't' or 'T';
        }

        _context.Add(SpecMessages.WrongType(node.Location, Child(key), "true or false", node.Describe()));
        return fallback;
    }

    public double Double(string key, double fallback, NumberRange range) => OptionalDouble(key, range) ?? fallback;

    public double? OptionalDouble(string key, NumberRange range)
    {
        var node = Node(key);
        return node is null ? null : ParseDouble(node, Child(key), range);
    }

    public int Int(string key, int fallback, NumberRange range) => OptionalInt(key, range) ?? fallback;

    public int? OptionalInt(string key, NumberRange range)
    {
        var node = Node(key);
        return node is null ? null : ParseInt(node, Child(key), range);
    }

    /// <summary>A name from <typeparamref name="T"/>'s spellings (<see cref="SpecNames"/>).</summary>
    public T Enum<T>(string key, T fallback)
        where T : struct, System.Enum
    {
        var node = Node(key);
        if (node is null)
        {
            return fallback;
        }

        if (node is not YamlScalar scalar)
        {
            _context.Add(SpecMessages.WrongType(node.Location, Child(key), "one of " + string.Join(", ", SpecNames.All<T>()), node.Describe()));
            return fallback;
        }

        if (SpecNames.Parse<T>(scalar.Value) is T value)
        {
            return value;
        }

        var names = SpecNames.All<T>();
        _context.Add(SpecMessages.InvalidChoice(scalar.Location, Child(key), scalar.Value, names, EditDistance.Suggest(scalar.Value, names)));
        return fallback;
    }

    /// <summary>A list of strings; a single scalar is not accepted (write <c>[a]</c>).</summary>
    public ValueList<string>? Strings(string key)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequence sequence)
        {
            _context.Add(SpecMessages.WrongType(node.Location, Child(key), "a list of strings", node.Describe()));
            return null;
        }

        var items = new List<string>();
        var ok = true;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            _context.Locations[$"{Child(key)}[{i}]"] = item.Location;
            if (item is YamlScalar { IsNull: false } s)
            {
                items.Add(s.Value);
            }
            else
            {
                _context.Add(SpecMessages.WrongType(item.Location, $"{Child(key)}[{i}]", "a string", item.Describe()));
                ok = false;
            }
        }

        return ok ? ValueList.From(items) : null;
    }

    /// <summary>A list of exactly two numbers in <paramref name="range"/>.</summary>
    public (double Low, double High)? Pair(string key, NumberRange range)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequence { Items.Count: 2 } sequence)
        {
            _context.Add(SpecMessages.WrongType(node.Location, Child(key), "a list of two numbers [low, high]", node is YamlSequence s ? $"a list of {s.Items.Count}" : node.Describe()));
            return null;
        }

        var low = ParseDouble(sequence.Items[0], $"{Child(key)}[0]", range);
        var high = ParseDouble(sequence.Items[1], $"{Child(key)}[1]", range);
        return low is double l && high is double h ? (l, h) : null;
    }

    /// <summary>Reports every key of this section that no getter asked for.</summary>
    public void Finish()
    {
        foreach (var entry in _order.Where(e => !_known.Contains(e.Key)))
        {
            var suggestion = EditDistance.Suggest(entry.Key, _known);
            _context.Add(SpecMessages.UnknownKey(entry.KeyLocation, Child(entry.Key), suggestion, _known.Order(StringComparer.Ordinal)));
        }
    }

    private void Known(string key)
    {
        _known.Add(key);
        _context.KnownPaths.Add(Child(key));
    }

    private double? ParseDouble(YamlNode node, string path, NumberRange range)
    {
        if (node is not YamlScalar { Plain: true, IsNull: false } s || !TryParseNumber(s.Value, out var value))
        {
            _context.Add(SpecMessages.WrongType(node.Location, path, "a number", node.Describe()));
            return null;
        }

        if (!range.Contains(value))
        {
            _context.Add(SpecMessages.OutOfRange(node.Location, path, range.Describe(integer: false), s.Value));
            return null;
        }

        return value;
    }

    private int? ParseInt(YamlNode node, string path, NumberRange range)
    {
        if (node is not YamlScalar { Plain: true, IsNull: false } s || !IntegerPattern().IsMatch(s.Value))
        {
            _context.Add(SpecMessages.WrongType(node.Location, path, "an integer", node.Describe()));
            return null;
        }

        if (!long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value is > int.MaxValue or < int.MinValue || !range.Contains(value))
        {
            _context.Add(SpecMessages.OutOfRange(node.Location, path, range.Describe(integer: true), s.Value));
            return null;
        }

        return (int)value;
    }

    private static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        return NumberPattern().IsMatch(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();
}
