using Compress.Audio;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// A small, fast, deterministic Speech-Commands-style dataset for pipeline tests: each keyword is a tone of its own
/// frequency with seeded noise, amplitude and onset, so a small DS-CNN learns it in a few epochs. Speakers are
/// split by listing (voice-disjoint), like the real corpus. Disposed: the folder is removed.
/// </summary>
public sealed class ToneCorpus : IDisposable
{
    public static readonly string[] Words = ["low", "mid", "high"];

    private static readonly double[] Hz = [300, 900, 2500];

    public ToneCorpus(int speakers = 16, int clipsPerSpeaker = 2)
    {
        Root = Path.Combine(Path.GetTempPath(), "compress-tones-" + Guid.NewGuid().ToString("N")[..8]);
        var random = new Random(7);
        var validation = new List<string>();
        var testing = new List<string>();
        for (var w = 0; w < Words.Length; w++)
        {
            Directory.CreateDirectory(Path.Combine(Root, Words[w]));
            for (var s = 0; s < speakers; s++)
            {
                for (var c = 0; c < clipsPerSpeaker; c++)
                {
                    var name = $"spk{s:00}_nohash_{c}.wav";
                    var clip = new float[16000];
                    var onset = random.Next(0, 6000);
                    var length = random.Next(5000, 9000);
                    var amplitude = 0.2 + (0.5 * random.NextDouble());
                    var hz = Hz[w] * (0.9 + (0.2 * random.NextDouble()));
                    for (var i = 0; i < clip.Length; i++)
                    {
                        var tone = i >= onset && i < onset + length ? amplitude * Math.Sin(2 * Math.PI * hz * i / 16000) : 0;
                        clip[i] = (float)(tone + (0.05 * ((random.NextDouble() * 2) - 1)));
                    }

                    WavWriter.Write(Path.Combine(Root, Words[w], name), clip, 16000);
                    var relative = $"{Words[w]}/{name}";
                    if (s % 4 == 1)
                    {
                        validation.Add(relative);
                    }
                    else if (s % 4 == 2)
                    {
                        testing.Add(relative);
                    }
                }
            }
        }

        File.WriteAllLines(Path.Combine(Root, "validation_list.txt"), validation);
        File.WriteAllLines(Path.Combine(Root, "testing_list.txt"), testing);
    }

    /// <summary>The dataset folder (also where tests put their specs and outputs).</summary>
    public string Root { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
