namespace Compress.MSBuild.Tests.Integration;

/// <summary>Writes 16-bit PCM test clips: a 0.5 s tone in the first or second half of one second, or near-silence.</summary>
internal static class Wav
{
    public const int SampleRate = 16000;

    /// <summary>One second of mono samples; <paramref name="toneHalf"/> 0 or 1 places the tone, -1 gives quiet noise.</summary>
    public static short[] Clip(int toneHalf, double frequency, int seed)
    {
        var random = new Random(seed);
        var samples = new short[SampleRate];
        for (var i = 0; i < samples.Length; i++)
        {
            var inTone = toneHalf >= 0 && i / (SampleRate / 2) == toneHalf;
            var value = inTone ? 0.5 * Math.Sin(2 * Math.PI * frequency * i / SampleRate) : 0.001 * ((random.NextDouble() * 2) - 1);
            samples[i] = (short)Math.Round(value * 32767);
        }

        return samples;
    }

    /// <summary>The raw little-endian bytes of <paramref name="samples"/> (what --stdin reads).</summary>
    public static byte[] Raw(short[] samples) => samples.SelectMany(BitConverter.GetBytes).ToArray();

    public static void Write(string path, short[] samples)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new BinaryWriter(File.Create(path));
        var data = samples.Length * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + data);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(SampleRate);
        writer.Write(SampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(data);
        writer.Write(Raw(samples));
    }
}
