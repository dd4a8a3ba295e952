using Compress.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Compress.Spec.Yaml;

/// <summary>
/// Builds a <see cref="YamlNode"/> tree from YamlDotNet's event parser, with 1-based marks. Only the first
/// document is read; a syntax error becomes one CMP1001 diagnostic (nothing after it can be trusted).
/// </summary>
internal static class YamlTreeLoader
{
    /// <summary>Loads <paramref name="text"/>; returns null (and adds a diagnostic) on a syntax error.</summary>
    public static YamlNode? Load(string text, string file, List<Diagnostic> diagnostics, Func<Mark, SpecLocation>? locate = null)
    {
        locate ??= mark => new SpecLocation(file, checked((int)mark.Line), checked((int)mark.Column));
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }

            var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            var root = ReadNode(parser, anchors, locate);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                diagnostics.Add(SpecMessages.Syntax(locate(second.Start), "only one YAML document is allowed"));
                return null;
            }

            return root;
        }
        catch (YamlException e)
        {
            diagnostics.Add(SpecMessages.Syntax(locate(e.Start), Describe(e)));
            return null;
        }
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, Func<Mark, SpecLocation> locate)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value.Value} refers to no anchor");
        }

        YamlNode node;
        string? anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new YamlScalar(scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, locate(scalar.Start));
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, anchors, locate));
            }

            node = new YamlSequence(items, locate(sequenceStart.Start));
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
            var entries = new List<YamlEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyStart = parser.Current!.Start;
                var key = ReadNode(parser, anchors, locate);
                var value = ReadNode(parser, anchors, locate);
                var keyText = key is YamlScalar s ? s.Value : throw new YamlException(keyStart, keyStart, "keys must be plain names, not lists or mappings");
                entries.Add(new YamlEntry(keyText, key.Location, value));
            }

            node = new YamlMapping(entries, locate(mappingStart.Start));
        }

        if (anchor is not null)
        {
            anchors[anchor] = node;
        }

        return node;
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is ours to print.
        var message = e.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        message = cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
        return message.TrimEnd('.');
    }
}
