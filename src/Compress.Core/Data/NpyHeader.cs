using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (format versions 1–3): element type, C-order shape and where the data
/// starts. Only little-endian (or byte-sized) types are accepted.
/// </summary>
/// <param name="Descr">The dtype string, e.g. <c>&lt;f4</c>.</param>
/// <param name="Shape">The array's shape.</param>
/// <param name="DataOffset">Byte offset of the first element.</param>
public sealed partial record NpyHeader(string Descr, IReadOnlyList<long> Shape, long DataOffset)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Bytes per element.</summary>
    public int ElementSize => int.Parse(Descr.AsSpan(2), CultureInfo.InvariantCulture);

    /// <summary>The kind letter: f (float), i (signed int), u (unsigned int), b (bool).</summary>
    public char Kind => Descr[1];

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>Reads and checks the header of <paramref name="path"/>, throwing CMP3104 when it is not a usable .npy file.</summary>
    public static NpyHeader Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> start = stackalloc byte[12];
        if (stream.Read(start) < 10 || !start[..6].SequenceEqual(Magic))
        {
            throw new CompressException(DataMessages.NpyInvalid(path, "no \\x93NUMPY magic"));
        }

        var major = start[6];
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(start[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(start[8..]);
        long prefix = major == 1 ? 10 : 12;
        if (major is < 1 or > 3 || headerLength > 1 << 20)
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"format version {major} with a {headerLength}-byte header"));
        }

        var bytes = new byte[headerLength];
        stream.Position = prefix;
        if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
        {
            throw new CompressException(DataMessages.NpyInvalid(path, "the header is cut off"));
        }

        var text = Encoding.Latin1.GetString(bytes);
        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"unreadable header {text.Trim()}"));
        }

        if (fortran.Groups[1].Value == "True")
        {
            throw new CompressException(DataMessages.NpyInvalid(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray"));
        }

        var d = descr.Groups[1].Value;
        if (d.Length < 3 || d[0] == '>' || !int.TryParse(d.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"dtype '{d}' (only little-endian numbers are supported)"));
        }

        // Untrusted text: a dimension that is not a non-negative integer, or a shape whose size overflows, is a bad
        // file (CMP3104), not a FormatException or OverflowException (found by the fuzz tests).
        var dims = new List<long>();
        foreach (var s in shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
            {
                throw new CompressException(DataMessages.NpyInvalid(path, $"shape ({shape.Groups[1].Value}) has a dimension '{s}' that is not a non-negative integer"));
            }

            dims.Add(dim);
        }

        var header = new NpyHeader(d, dims, prefix + headerLength);
        long needed;
        try
        {
            needed = checked(header.DataOffset + (header.ElementCount * size));
        }
        catch (OverflowException)
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"shape ({shape.Groups[1].Value}) of {d} elements is larger than any file"));
        }

        if (stream.Length < needed)
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"the file has {stream.Length} bytes, its header needs {needed}"));
        }

        return header;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
