using System.Globalization;
using Compress.Audio;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// A learnable speech-recognition task without speech: the letters a–d are 80 ms tones (300, 700, 1,500 and
/// 3,000 Hz, so they fall in different mel bins), letters of a word 80 ms apart, words 200 ms apart, in 1 s clips with
/// noise; transcripts are 1–2 words of 1–2 letters. <see cref="Write"/> writes the clips and a
/// <c>path,transcript,split</c> manifest; <see cref="Model"/> is a small randomly initialised CRNN over the sample's
/// 49 × 40 log-mel frames (a bidirectional GRU sees the whole clip, so it can place the word delimiter).
/// </summary>
internal static class ToneAlphabet
{
    public const string Labels = "[_, \"|\", a, b, c, d]";

    /// <summary>A randomly initialised CRNN for the six labels over 49 × 40 frames (25 output frames).</summary>
    public static Compress.Onnx.Proto.ModelProto Model(int seed) =>
        new Compress.Architectures.CrnnCtc(Vocab: 6, Frames: 49, Bins: 40, Channels: 32, Hidden: 32, Bidirectional: true, Seed: seed).Build();
    private static readonly double[] Hz = [300, 700, 1500, 3000];

    /// <summary>Writes <paramref name="perSplit"/> clips per split (train, validation, test) under <paramref name="folder"/> and manifest.csv.</summary>
    public static void Write(string folder, (int Train, int Validation, int Test) perSplit, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string> { "path,transcript,split" };
        foreach (var (split, count) in new[] { ("train", perSplit.Train), ("validation", perSplit.Validation), ("test", perSplit.Test) })
        {
            for (var i = 0; i < count; i++)
            {
                var words = Enumerable.Range(0, random.Next(1, 3)).Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => (char)('a' + random.Next(4)))])).ToList();
                var relative = string.Create(CultureInfo.InvariantCulture, $"clips/{split}-{i:0000}.wav");
                Directory.CreateDirectory(Path.Combine(folder, "clips"));
                WavWriter.Write(Path.Combine(folder, relative), Clip(words, random), 16000);
                lines.Add($"{relative},{string.Join(' ', words)},{split}");
            }
        }

        File.WriteAllLines(Path.Combine(folder, "manifest.csv"), lines);
    }

    private static float[] Clip(List<string> words, Random random)
    {
        var samples = new float[16000];
        var at = 800 + random.Next(3200);
        foreach (var word in words)
        {
            foreach (var letter in word)
            {
                var hz = Hz[letter - 'a'] * (0.97 + (0.06 * random.NextDouble()));
                var gain = 0.2 + (0.3 * random.NextDouble());
                for (var n = 0; n < 1280 && at + n < samples.Length; n++)
                {
                    var fade = Math.Min(1.0, Math.Min(n, 1280 - n) / 160.0);
                    samples[at + n] += (float)(gain * fade * Math.Sin(2 * Math.PI * hz * n / 16000));
                }

                at += 1280 + 1280;
            }

            at += 3200 - 1280;
        }

        for (var n = 0; n < samples.Length; n++)
        {
            samples[n] += (float)((random.NextDouble() - 0.5) * 0.01);
        }

        return samples;
    }
}
