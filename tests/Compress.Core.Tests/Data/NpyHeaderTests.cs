using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Core.Tests.Data;

/// <summary>Malformed .npy headers are CMP3104, never a FormatException or OverflowException (cases found by the fuzz tests).</summary>
public sealed class NpyHeaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-npy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_AValidHeader_GivesShapeAndOffset()
    {
        var path = Path.Combine(_folder, "ok.npy");
        NpyWriter.Floats(path, new float[12], 3, 4);

        var header = NpyHeader.Read(path);

        Assert.Equal([3L, 4L], header.Shape);
        Assert.Equal(4, header.ElementSize);
        Assert.Equal(128, header.DataOffset);
    }

    [Theory]
    [InlineData("<f4", "(2, , x)")]
    [InlineData("<f4", "(2x,)")]
    [InlineData("<f4", "(-1, 4)")]
    [InlineData("<f4", "(ª2,)")]
    [InlineData("<f4", "(9223372036854775807, 2)")]
    [InlineData("<f4", "(99999999999999999999,)")]
    [InlineData("<f4x", "(2,)")]
    [InlineData("<f99999999999", "(2,)")]
    public void Read_AMalformedShapeOrDtype_IsCmp3104(string descr, string shape)
    {
        var path = Path.Combine(_folder, "bad.npy");
        Write(path, descr, shape);

        var e = Assert.Throws<CompressException>(() => NpyHeader.Read(path));

        Assert.Equal("CMP3104", Assert.Single(e.Diagnostics).Code);
    }

    private static void Write(string path, string descr, string shape)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".PadRight(117) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)dict.Length));
        stream.Write(System.Text.Encoding.Latin1.GetBytes(dict));
        stream.Write(new byte[64]);
    }
}
