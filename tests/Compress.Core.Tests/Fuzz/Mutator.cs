using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Compress.Fuzz;

/// <summary>How an input is mutated: as bytes (ONNX, WAV, .npy) or as text (compress.yaml, line- and YAML-aware).</summary>
public enum InputKind
{
    /// <summary>Binary file: bit flips, interesting bytes, truncation, splicing, duplication, length blow-ups.</summary>
    Binary,

    /// <summary>UTF-8 text: the binary mutations plus deep nesting, long scalars, alias bombs, line edits and tabs.</summary>
    Text,

    /// <summary>An ONNX model: the binary mutations half of the time, else a structural one (<see cref="OnnxMutator"/>).</summary>
    OnnxModel,
}

/// <summary>One mutated input and what was done to it (for the failure message that lets a case be replayed).</summary>
/// <param name="Bytes">The mutated input.</param>
/// <param name="SeedIndex">Which seed file it was made from.</param>
/// <param name="Description">The mutations applied, in order.</param>
public sealed record Mutation(byte[] Bytes, int SeedIndex, string Description);

/// <summary>
/// A small deterministic mutation engine: the same case seed always gives the same bytes (everything is drawn from
/// one <see cref="Random"/> seeded with it), so a failing case is replayed from its seed alone
/// (<see cref="Mutate"/>). Shared by the fuzz tests (tests/Compress.Core.Tests/Fuzz) and the bench's <c>fuzz</c> section.
/// </summary>
public static class Mutator
{
    /// <summary>Values that tend to sit on a boundary of whatever a byte means.</summary>
    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80];

    /// <summary>32-bit lengths/dimensions that overflow, go negative or ask for gigabytes.</summary>
    private static readonly uint[] HugeUInt32 = [0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x40000000, 0x10000000, 0xFFFFFFFE];

    /// <summary>Varint values (protobuf lengths, dims, enum values) that overflow or ask for gigabytes; -1 is ten bytes.</summary>
    private static readonly ulong[] HugeVarints = [0x7FFFFFFF, 0xFFFFFFFF, 1UL << 40, long.MaxValue, ulong.MaxValue, 0x80000000];

    /// <summary>
    /// The seed of case <paramref name="index"/> of a run seeded with <paramref name="runSeed"/> (stable across
    /// processes and platforms, unlike <see cref="HashCode"/>).
    /// </summary>
    public static int CaseSeed(int runSeed, int index) => unchecked((runSeed * 1_000_003) + (index * 7919) + 17);

    /// <summary>
    /// Mutates one of <paramref name="seeds"/> (picked by <paramref name="caseSeed"/>) with one to four mutations;
    /// other seeds serve as splice material.
    /// </summary>
    public static Mutation Mutate(IReadOnlyList<byte[]> seeds, int caseSeed, InputKind kind)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("at least one seed is needed", nameof(seeds));
        }

        var random = new Random(caseSeed);
        var seedIndex = random.Next(seeds.Count);
        var data = seeds[seedIndex];
        var steps = 1 + random.Next(4);
        var description = new StringBuilder();
        for (var step = 0; step < steps; step++)
        {
            string what;
            (data, what) = kind switch
            {
                InputKind.Binary => MutateBinary(data, seeds, random),
                InputKind.Text => random.Next(3) == 0 ? MutateBinary(data, seeds, random) : MutateText(data, seeds, random),
                InputKind.OnnxModel => random.Next(2) == 0 ? MutateBinary(data, seeds, random) : OnnxMutator.Mutate(data, random),
            };
            description.Append(step == 0 ? "" : "; ").Append(what);
        }

        return new Mutation(data, seedIndex, description.ToString());
    }

    private static (byte[] Data, string What) MutateBinary(byte[] data, IReadOnlyList<byte[]> seeds, Random random)
    {
        if (data.Length == 0)
        {
            var other = seeds[random.Next(seeds.Count)];
            return (other.Length == 0 ? [InterestingBytes[random.Next(InterestingBytes.Length)]] : Slice(other, random), "empty input replaced by a slice of a seed");
        }

        switch (random.Next(8))
        {
            case 0:
            {
                var copy = (byte[])data.Clone();
                var bits = 1 + random.Next(8);
                var at = random.Next(copy.Length);
                for (var b = 0; b < bits; b++)
                {
                    var position = random.Next(2) == 0 ? Math.Min(copy.Length - 1, at + (b / 8)) : random.Next(copy.Length);
                    copy[position] ^= (byte)(1 << random.Next(8));
                }

                return (copy, F($"flip {bits} bit(s) near {at}"));
            }

            case 1:
            {
                var copy = (byte[])data.Clone();
                var count = 1 + random.Next(4);
                var at = random.Next(copy.Length);
                var value = InterestingBytes[random.Next(InterestingBytes.Length)];
                for (var i = 0; i < count && at + i < copy.Length; i++)
                {
                    copy[at + i] = value;
                }

                return (copy, F($"overwrite {count} byte(s) at {at} with 0x{value:X2}"));
            }

            case 2:
            {
                var at = random.Next(data.Length);
                return (data[..at], F($"truncate at {at} of {data.Length}"));
            }

            case 3:
            {
                var source = random.Next(2) == 0 ? data : seeds[random.Next(seeds.Count)];
                if (source.Length == 0)
                {
                    return (data, "splice of an empty seed (no change)");
                }

                var start = random.Next(source.Length);
                var length = 1 + random.Next(Math.Min(source.Length - start, 4096));
                var at = random.Next(data.Length + 1);
                var overwrite = random.Next(2) == 0;
                byte[] result = overwrite
                    ? [.. data.AsSpan(0, at), .. source.AsSpan(start, length), .. data.AsSpan(Math.Min(data.Length, at + length))]
                    : [.. data.AsSpan(0, at), .. source.AsSpan(start, length), .. data.AsSpan(at)];
                return (result, F($"splice {length} byte(s) from {(ReferenceEquals(source, data) ? "itself" : "another seed")} at {start} {(overwrite ? "over" : "into")} {at}"));
            }

            case 4:
            {
                var start = random.Next(data.Length);
                var length = 1 + random.Next(Math.Min(data.Length - start, 4096));
                var times = 1 + random.Next(random.Next(2) == 0 ? 2 : 64);
                var result = new List<byte>(data.Length + (length * times));
                result.AddRange(data.AsSpan(0, start + length));
                for (var t = 0; t < times; t++)
                {
                    result.AddRange(data.AsSpan(start, length));
                }

                result.AddRange(data.AsSpan(start + length));
                return (result.ToArray(), F($"duplicate {length} byte(s) at {start} {times} time(s)"));
            }

            case 5:
                return BlowUpUInt32(data, random);

            case 6:
                return BlowUpVarint(data, random);

            default:
            {
                var copy = (byte[])data.Clone();
                var at = random.Next(copy.Length);
                var value = (byte)random.Next(256);
                copy[at] = value;
                return (copy, F($"set byte {at} to 0x{value:X2}"));
            }
        }
    }

    /// <summary>Replaces a small little-endian 32-bit value (a likely size, count or dimension) with a huge one.</summary>
    private static (byte[] Data, string What) BlowUpUInt32(byte[] data, Random random)
    {
        if (data.Length < 4)
        {
            return (data, "no room for a 32-bit value (no change)");
        }

        var candidates = new List<int>();
        for (var i = 0; i + 4 <= data.Length; i++)
        {
            var v = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i));
            if (v is > 0 and < 1u << 24)
            {
                candidates.Add(i);
            }
        }

        var at = candidates.Count > 0 ? candidates[random.Next(candidates.Count)] : random.Next(data.Length - 3);
        var value = HugeUInt32[random.Next(HugeUInt32.Length)];
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
        return (copy, F($"uint32 at {at} = 0x{value:X8}"));
    }

    /// <summary>
    /// Replaces a protobuf varint (a field value or a length prefix, found by walking the message and any nested
    /// message it can parse) with a huge value; falls back to a random offset when the input is not protobuf.
    /// </summary>
    private static (byte[] Data, string What) BlowUpVarint(byte[] data, Random random)
    {
        var found = new List<(int Offset, int Length)>();
        CollectVarints(data, 0, data.Length, found, depth: 0);
        var value = HugeVarints[random.Next(HugeVarints.Length)];
        var (at, length) = found.Count > 0 ? found[random.Next(found.Count)] : (random.Next(data.Length), 1);
        length = Math.Min(length, data.Length - at);
        Span<byte> encoded = stackalloc byte[10];
        var n = 0;
        for (var v = value; ; v >>= 7)
        {
            encoded[n++] = (byte)(v < 0x80 ? v : (v & 0x7F) | 0x80);
            if (v < 0x80)
            {
                break;
            }
        }

        byte[] result = [.. data.AsSpan(0, at), .. encoded[..n], .. data.AsSpan(at + length)];
        return (result, F($"varint at {at} ({length} byte(s)) = {value}"));
    }

    private static void CollectVarints(byte[] data, int start, int end, List<(int Offset, int Length)> found, int depth)
    {
        var i = start;
        while (i < end && found.Count < 100_000)
        {
            if (!TryVarint(data, i, end, out var tag, out var tagLength) || tag >> 3 == 0)
            {
                return;
            }

            i += tagLength;
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryVarint(data, i, end, out _, out var valueLength))
                    {
                        return;
                    }

                    found.Add((i, valueLength));
                    i += valueLength;
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    if (!TryVarint(data, i, end, out var size, out var sizeLength) || size > (ulong)(end - i - sizeLength))
                    {
                        return;
                    }

                    found.Add((i, sizeLength));
                    i += sizeLength;
                    if (depth < 16)
                    {
                        CollectVarints(data, i, i + (int)size, found, depth + 1);
                    }

                    i += (int)size;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    return;
            }
        }
    }

    private static bool TryVarint(byte[] data, int at, int end, out ulong value, out int length)
    {
        value = 0;
        for (length = 0; length < 10 && at + length < end; length++)
        {
            var b = data[at + length];
            value |= (ulong)(b & 0x7F) << (7 * length);
            if (b < 0x80)
            {
                length++;
                return true;
            }
        }

        return false;
    }

    private static (byte[] Data, string What) MutateText(byte[] data, IReadOnlyList<byte[]> seeds, Random random)
    {
        var text = Encoding.UTF8.GetString(data);
        var lines = text.Split('\n').ToList();
        var line = random.Next(lines.Count);
        string what;
        switch (random.Next(10))
        {
            case 0:
            {
                var depth = Depth(random);
                var open = random.Next(2) == 0 ? '[' : '{';
                var close = open == '[' ? "]" : "}";
                var inner = open == '[' ? "1" : "a: 1";
                var nested = open == '['
                    ? new string('[', depth) + inner + Repeat(close, random.Next(4) == 0 ? random.Next(depth + 1) : depth)
                    : string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + Repeat(close, random.Next(4) == 0 ? random.Next(depth + 1) : depth);
                lines.Insert(line, "deep: " + nested);
                what = F($"flow nesting {open} x{depth} at line {line + 1}");
                break;
            }

            case 1:
            {
                // Indentation grows with depth, so the text grows with its square: a few thousand levels are past every limit.
                var depth = random.Next(3) switch
                {
                    0 => random.Next(1, 64),
                    1 => random.Next(60, 70),
                    _ => random.Next(100, 1500),
                };
                var block = new StringBuilder("nest:\n");
                for (var d = 1; d <= depth; d++)
                {
                    block.Append(' ', d * (random.Next(8) == 0 ? 1 : 2)).Append(random.Next(2) == 0 ? "- " : "k: ").Append('\n');
                }

                block.Append(' ', (depth + 1) * 2).Append('x');
                lines.Insert(line, block.ToString());
                what = F($"block nesting x{depth} at line {line + 1}");
                break;
            }

            case 2:
            {
                var length = random.Next(3) switch
                {
                    0 => random.Next(1, 1000),
                    1 => random.Next(60_000, 70_000),
                    _ => random.Next(1_000_000, 1_100_000),
                };
                var c = "x9 '\"#:"[random.Next(7)];
                lines[line] += (random.Next(2) == 0 ? " " : ": ") + new string(c, length);
                what = F($"scalar of {length} '{c}' appended to line {line + 1}");
                break;
            }

            case 3:
            {
                var levels = 1 + random.Next(40);
                var width = 2 + random.Next(9);
                var bomb = new StringBuilder();
                bomb.Append(F($"b0: &a0 [lol]\n"));
                for (var l = 1; l < levels; l++)
                {
                    bomb.Append(F($"b{l}: &a{l} [")).AppendJoin(", ", Enumerable.Repeat(F($"*a{l - 1}"), width)).Append("]\n");
                }

                if (random.Next(4) == 0)
                {
                    bomb.Append("self: &s [*s, *s]\n");
                }

                lines.Insert(line, bomb.ToString().TrimEnd('\n'));
                what = F($"alias bomb {levels} levels x{width} at line {line + 1}");
                break;
            }

            case 4:
                lines.RemoveAt(line);
                what = F($"delete line {line + 1}");
                break;
            case 5:
            {
                // At most ~4 MB added: past the parser's 1 MB limit, without making the input itself the allocation peak.
                var times = Math.Min(1 + random.Next(random.Next(2) == 0 ? 2 : 200), Math.Max(1, (4 << 20) / (lines[line].Length + 1)));
                lines.InsertRange(line, Enumerable.Repeat(lines[line], times));
                what = F($"duplicate line {line + 1} {times} time(s)");
                break;
            }

            case 6:
            {
                var indent = lines[line].Length - lines[line].TrimStart(' ').Length;
                lines[line] = (random.Next(2) == 0 ? "\t" : new string('\t', 1 + random.Next(4))) + lines[line][indent..];
                what = F($"tab indentation on line {line + 1}");
                break;
            }

            case 7:
            {
                var specials = new[] { ":", "- ", "? ", "|", ">", "&x ", "*x", "!!str ", "!tag ", "%YAML 1.2", "#", "'", "\"", "{", "}", "[", "]", ",", "\t", "\0", "\uFEFF", "\uD800", "---", "...", "<<: *x", "\\u", "\r", "~", ".nan", "-.inf", "0x7FFFFFFFFFFFFFFF", "1e999" };
                var s = specials[random.Next(specials.Length)];
                var at = random.Next(lines[line].Length + 1);
                lines[line] = lines[line].Insert(at, s);
                what = F($"insert {Escape(s)} on line {line + 1} col {at + 1}");
                break;
            }

            case 8:
            {
                var other = Encoding.UTF8.GetString(seeds[random.Next(seeds.Count)]).Split('\n');
                var from = random.Next(other.Length);
                var count = 1 + random.Next(Math.Min(8, other.Length - from));
                lines.InsertRange(line, other.Skip(from).Take(count));
                what = F($"splice {count} line(s) of a seed at line {line + 1}");
                break;
            }

            default:
            {
                var a = random.Next(lines.Count);
                (lines[line], lines[a]) = (lines[a], lines[line]);
                what = F($"swap lines {line + 1} and {a + 1}");
                break;
            }
        }

        return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), what);
    }

    /// <summary>Nesting depths around the parser's limit (64) and far beyond it (a recursive reader would overflow the stack).</summary>
    private static int Depth(Random random) => random.Next(4) switch
    {
        0 => random.Next(1, 64),
        1 => random.Next(60, 70),
        2 => random.Next(1000, 5000),
        _ => random.Next(50_000, 200_000),
    };

    private static byte[] Slice(byte[] source, Random random)
    {
        var start = random.Next(source.Length);
        return source[start..(start + 1 + random.Next(Math.Min(source.Length - start, 4096)))];
    }

    private static string Repeat(string s, int times) => string.Concat(Enumerable.Repeat(s, times));

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? F($"\\u{(int)c:X4}") : c.ToString()));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
