using System.Text;

namespace Compress.Core.Tests.Data;

/// <summary>Writes NumPy .npy files (format 1.0) for tests.</summary>
public static class NpyWriter
{
    public static void Write(string path, string descr, long[] shape, byte[] data)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        var length = dict.Length + 1;
        var padded = (length + 10 + 63) / 64 * 64;
        var header = dict.PadRight(padded - 10 - 1) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(data);
    }

    public static void Floats(string path, float[] values, params long[] shape) =>
        Write(path, "<f4", shape, [.. values.SelectMany(BitConverter.GetBytes)]);

    public static void Halves(string path, float[] values, params long[] shape) =>
        Write(path, "<f2", shape, [.. values.SelectMany(v => BitConverter.GetBytes((Half)v))]);

    public static void Longs(string path, long[] values) =>
        Write(path, "<i8", [values.Length], [.. values.SelectMany(BitConverter.GetBytes)]);
}
