using Compress.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Compress.Spec.Yaml;

/// <summary>
/// Builds a <see cref="YamlNode"/> tree from YamlDotNet's event parser, with 1-based marks. Only the first
/// document is read; a syntax error becomes one CMP1001 diagnostic (nothing after it can be trusted). The
/// <see cref="YamlLimits"/> are checked while reading (CMP1050–CMP1053), each at the place it is exceeded.
/// </summary>
/// <remarks>
/// YamlDotNet 18's scanner and parser keep their nesting on heap stacks (100,000 unclosed <c>[</c> give 100,004
/// events and a clean <see cref="YamlException"/>); the recursion that overflowed the stack was this reader's, so
/// the depth is counted here, on the event stream, rather than by a second scanner of the text.
/// FuzzTests and the deep-nesting tests in SpecLimitsTests hold YamlDotNet to that.
/// </remarks>
internal static class YamlTreeLoader
{
    /// <summary>Loads <paramref name="text"/>; returns null (and adds a diagnostic) on a syntax error or an exceeded limit.</summary>
    public static YamlNode? Load(string text, string file, List<Diagnostic> diagnostics, Func<Mark, SpecLocation>? locate = null)
    {
        locate ??= mark => new SpecLocation(file, checked((int)mark.Line), checked((int)mark.Column));
        if (text.Length > YamlLimits.MaxBytes)
        {
            diagnostics.Add(SpecMessages.TooLarge(locate(MarkAt(text, YamlLimits.MaxBytes)), text.Length, YamlLimits.MaxBytes));
            return null;
        }

        var parser = new Parser(new StringReader(text));
        var reader = new Reader(parser, locate);
        try
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }

            var root = reader.ReadNode(1);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                diagnostics.Add(SpecMessages.Syntax(locate(second.Start), "only one YAML document is allowed"));
                return null;
            }

            return root;
        }
        catch (LimitException e)
        {
            diagnostics.Add(e.Diagnostic);
            return null;
        }
        catch (YamlException e)
        {
            diagnostics.Add(SpecMessages.Syntax(locate(e.Start), Describe(e)));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or InvalidCastException)
        {
            // YamlDotNet's own bugs on odd input (seen by the fuzzer); report them as YAML errors where it stopped.
            diagnostics.Add(SpecMessages.Syntax(locate(parser.Current?.Start ?? reader.LastMark), e.Message.TrimEnd('.')));
            return null;
        }
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is ours to print.
        var message = e.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        message = cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
        return message.TrimEnd('.');
    }

    /// <summary>The 1-based line and column of character <paramref name="index"/>.</summary>
    private static Mark MarkAt(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new Mark(index, line, index - lineStart + 1);
    }

    /// <summary>A limit was exceeded; carries its diagnostic out of the recursion.</summary>
    private sealed class LimitException(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic { get; } = diagnostic;
    }

    /// <summary>One document's reading state: anchors, their expanded sizes, and the counts the limits bound.</summary>
    private sealed class Reader(IParser parser, Func<Mark, SpecLocation> locate)
    {
        private readonly Dictionary<string, (YamlNode Node, long Size)> _anchors = new(StringComparer.Ordinal);
        private int _aliases;
        private long _expanded;

        public Mark LastMark { get; private set; } = Mark.Empty;

        public YamlNode ReadNode(int depth) => Read(depth).Node;

        private (YamlNode Node, long Size) Read(int depth)
        {
            var start = parser.Current?.Start ?? LastMark;
            LastMark = start;
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                CountAlias(alias.Start);
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value.Value} refers to no anchor");
                }

                Expand(target.Size, alias.Start);
                return target;
            }

            YamlNode node;
            long size = 1;
            AnchorName anchor;
            Expand(1, start);
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                anchor = scalar.Anchor;
                if (scalar.Value.Length > YamlLimits.MaxScalarLength)
                {
                    throw new LimitException(SpecMessages.ScalarTooLong(locate(scalar.Start), scalar.Value.Length, YamlLimits.MaxScalarLength));
                }

                node = new YamlScalar(scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, locate(scalar.Start));
            }
            else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                anchor = sequenceStart.Anchor;
                CheckDepth(depth, sequenceStart.Start);
                var items = new List<YamlNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var (item, itemSize) = Read(depth + 1);
                    items.Add(item);
                    size += itemSize;
                }

                node = new YamlSequence(items, locate(sequenceStart.Start));
            }
            else
            {
                var mappingStart = parser.Consume<MappingStart>();
                anchor = mappingStart.Anchor;
                CheckDepth(depth, mappingStart.Start);
                var entries = new List<YamlEntry>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyStart = parser.Current!.Start;
                    var (key, keySize) = Read(depth + 1);
                    var (value, valueSize) = Read(depth + 1);
                    var keyText = key is YamlScalar s ? s.Value : throw new YamlException(keyStart, keyStart, "keys must be plain names, not lists or mappings");
                    entries.Add(new YamlEntry(keyText, key.Location, value));
                    size += keySize + valueSize;
                }

                node = new YamlMapping(entries, locate(mappingStart.Start));
            }

            if (!anchor.IsEmpty)
            {
                CountAlias(start);
                _anchors[anchor.Value] = (node, size);
            }

            return (node, size);
        }

        private void CheckDepth(int depth, Mark at)
        {
            if (depth > YamlLimits.MaxDepth)
            {
                throw new LimitException(SpecMessages.TooDeep(locate(at), YamlLimits.MaxDepth));
            }
        }

        private void CountAlias(Mark at)
        {
            if (++_aliases > YamlLimits.MaxAliases)
            {
                throw new LimitException(SpecMessages.TooManyAliases(locate(at),
                    $"more than {YamlLimits.MaxAliases} anchors and aliases; a spec needs none"));
            }
        }

        private void Expand(long nodes, Mark at)
        {
            _expanded += nodes;
            if (_expanded > YamlLimits.MaxExpandedNodes)
            {
                throw new LimitException(SpecMessages.TooManyAliases(locate(at),
                    $"with its aliases expanded the spec has more than {YamlLimits.MaxExpandedNodes} values (an alias bomb?); write the values out instead of aliasing them"));
            }
        }
    }
}
