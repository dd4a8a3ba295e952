using Compress.Audio;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Text;

namespace Compress.Core.Tests.Data;

public sealed class TranscriptManifestTests : IDisposable
{
    private static readonly CtcVocabulary Letters = new(["_", "|", .. "abcdefghijklmnopqrstuvwxyz'".Select(c => c.ToString())], 0, 1);
    private readonly string _root = Directory.CreateTempSubdirectory("compress-ctc-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DatasetOptions Options(string manifest) =>
        new DatasetOptions(DatasetFormat.Manifest, _root, Letters.Tokens, Manifest: manifest) { Transcripts = new TranscriptOptions(TextNormalization.Default, Letters) };

    [Fact]
    public void Transcripts_AreNormalised_AndTheDistinctOnesBecomeTheLabels()
    {
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            Wav($"clips/{name}.wav");
        }

        File.WriteAllLines(Path.Combine(_root, "m.csv"), [
            "path,transcript,split",
            "clips/a.wav,Turn ON the lights.,train",
            "clips/b.wav,\"set a timer, ten minutes\",train",
            "clips/c.wav,turn on the lights,validation",
            "clips/d.wav,what's up,test",
        ]);

        using var data = DatasetLoader.Load(Options("m.csv"));

        Assert.Equal(["set a timer ten minutes", "turn on the lights", "what's up"], data.Labels);
        Assert.Equal([new AudioItem(Path.Combine(_root, "clips", "a.wav"), 1, "turn on the lights"), new AudioItem(Path.Combine(_root, "clips", "b.wav"), 0, "set a timer ten minutes")], data.Train);
        Assert.Equal(1, Assert.Single(data.Validation).Label);
        Assert.Equal("what's up", Assert.Single(data.Test).LabelName);
    }

    [Fact]
    public void AnUnspelledTranscript_IsCmp3109_AtItsLine_ForEveryLine()
    {
        Wav("x.wav");
        File.WriteAllLines(Path.Combine(_root, "m.csv"), ["x.wav,café au lait,train", "x.wav,fine,train", "x.wav,2 lights,test"]);

        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(Options("m.csv")));

        Assert.Equal([(1, "é"), (3, "2")], e.Diagnostics.Select(d => (d.Line ?? 0, d.Message.Split('\'')[3])));
        Assert.All(e.Diagnostics, d => Assert.Equal((DataMessages.TranscriptNotSpelledCode, Path.Combine(_root, "m.csv")), (d.Code, d.File)));
    }

    [Fact]
    public void AClipLongerThanTheFrontEndsClip_IsCmp3110NamingIt_BecauseItsLastWordsWouldBeCut()
    {
        Wav("short.wav", 640);
        Wav("long.wav", 800);
        File.WriteAllLines(Path.Combine(_root, "m.csv"), ["short.wav,go,train", "long.wav,go on,train"]);
        var options = Options("m.csv");

        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(options with { Transcripts = options.Transcripts! with { MaxSeconds = 0.045 } }));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal((DataMessages.TranscribedClipTooLongCode, Path.Combine(_root, "long.wav")), (d.Code, d.File));
        Assert.StartsWith("the clip lasts 0.05 s but features.clip_seconds is 0.045", d.Message, StringComparison.Ordinal);
        using var fits = DatasetLoader.Load(options with { Transcripts = options.Transcripts! with { MaxSeconds = 0.05 } });
        Assert.Equal(2, fits.Train.Count);
    }

    [Fact]
    public void Transcripts_NeedAManifest()
    {
        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(Options("m.csv") with { Format = DatasetFormat.SpeechCommands }));

        Assert.Equal(DataMessages.InvalidDatasetOptionsCode, Assert.Single(e.Diagnostics).Code);
    }

    private void Wav(string relative, int samples = 800)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.Write(path, [.. Enumerable.Range(0, samples).Select(i => (float)Math.Sin(i * 0.3) * 0.3f)], 16000);
    }
}
