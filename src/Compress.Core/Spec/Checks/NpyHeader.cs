using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Compress.Spec.Checks;

/// <summary>The header of a NumPy <c>.npy</c> file (format 1.0–3.0): dtype descriptor and shape. Only the header is read.</summary>
internal sealed partial record NpyHeader(string Descr, IReadOnlyList<long> Shape)
{
    /// <summary>Reads the header, or returns null with the reason in <paramref name="problem"/>.</summary>
    public static NpyHeader? Read(string path, out string problem)
    {
        problem = "";
        try
        {
            using var stream = File.OpenRead(path);
            var prefix = new byte[12];
            if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || prefix[0] != 0x93 || Encoding.ASCII.GetString(prefix, 1, 5) != "NUMPY")
            {
                problem = "not a .npy file (no \\x93NUMPY magic)";
                return null;
            }

            var major = prefix[6];
            var headerLength = major == 1 ? BitConverter.ToUInt16(prefix, 8) : (int)BitConverter.ToUInt32(prefix, 8);
            var start = major == 1 ? 10 : 12;
            if (headerLength is <= 0 or > 1 << 20)
            {
                problem = $"implausible header length {headerLength}";
                return null;
            }

            var header = new byte[headerLength];
            stream.Position = start;
            stream.ReadExactly(header);
            var text = Encoding.Latin1.GetString(header);
            var descr = DescrPattern().Match(text);
            var shape = ShapePattern().Match(text);
            if (!descr.Success || !shape.Success)
            {
                problem = "the header has no 'descr' or 'shape'";
                return null;
            }

            var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToList();
            return new NpyHeader(descr.Groups[1].Value, dims);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary><c>&lt;f4 (1000, 16, 96)</c>.</summary>
    public override string ToString() => $"{Descr} ({string.Join(", ", Shape)})";

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
