using System.Diagnostics;
using System.Security.Cryptography;
using Compress.Audio;
using Compress.Data;

namespace Compress.Core.Tests.Data;

/// <summary>Builds the small synthetic corpus once (tools/corpus/make-corpus.sh --small) for the tests of this class.</summary>
public sealed class SmallCorpusFixture : IDisposable
{
    public SmallCorpusFixture()
    {
        Root = Path.Combine(Directory.CreateTempSubdirectory("compress-corpus-").FullName, "corpus");
        Output = CorpusScript.Run("--out", Root, "--small");
    }

    public string Root { get; }

    public string Output { get; }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
}

public static class CorpusScript
{
    public static string Path { get; } = Find();

    /// <summary>Runs the generator; returns its standard output, failing the test on a non-zero exit.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"make-corpus.sh failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "tools", "corpus", "make-corpus.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tools/corpus/make-corpus.sh not found above " + AppContext.BaseDirectory);
    }
}

public sealed class CorpusTests(SmallCorpusFixture corpus) : IClassFixture<SmallCorpusFixture>
{
    private static readonly string[] Labels = ["_silence_", "_unknown_", "yes", "no", "up", "down"];

    [Fact]
    public void SmallCorpus_HasTheSpeechCommandsLayout()
    {
        Assert.Equal(["dog", "down", "no", "tree", "up", "yes"], Directory.GetDirectories(corpus.Root).Select(System.IO.Path.GetFileName).Where(n => !n!.StartsWith('_')).Order());
        Assert.Equal(
            ["babble.wav", "brown_noise.wav", "fan.wav", "hum.wav", "music.wav", "pink_noise.wav", "white_noise.wav"],
            Directory.GetFiles(System.IO.Path.Combine(corpus.Root, "_background_noise_")).Select(System.IO.Path.GetFileName).Order());
        var clips = Directory.GetFiles(corpus.Root, "*_nohash_*.wav", SearchOption.AllDirectories);
        Assert.Equal(72, clips.Length);
        Assert.All(clips, clip =>
        {
            var (format, frames) = WavReader.Inspect(clip);
            Assert.Equal(new WavFormat(WavEncoding.Pcm, 1, 16000, 16), format);
            Assert.Equal(16000, frames);
        });
        var loud = WavReader.Read(clips[0]).Samples.Max(Math.Abs);
        Assert.InRange(loud, 0.05f, 1f);
    }

    [Fact]
    public void SmallCorpus_LoaderSplitsAreVoiceDisjoint()
    {
        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, corpus.Root, Labels, UnknownFraction: 1));

        var voiceOf = File.ReadAllLines(System.IO.Path.Combine(corpus.Root, "speakers.tsv")).Skip(1)
            .Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1].Split('/')[0]);
        var voices = Enum.GetValues<DatasetSplit>()
            .Select(s => data.Items(s).Where(i => i.Path.Length > 0).Select(i => voiceOf[SpeechCommandsSplit.SpeakerOf(i.Path)]).ToHashSet())
            .ToList();
        Assert.All(voices, v => Assert.NotEmpty(v));
        Assert.Empty(voices[0].Intersect(voices[1]));
        Assert.Empty(voices[0].Intersect(voices[2]));
        Assert.Empty(voices[1].Intersect(voices[2]));
        foreach (var word in new[] { "yes", "no", "up", "down" })
        {
            Assert.True(data.Count(DatasetSplit.Test, word) > 0, word);
        }

        Assert.True(data.Count(DatasetSplit.Train, "_unknown_") > 0);
        Assert.Equal(7, data.BackgroundNoise.Count);
        Assert.Empty(data.Diagnostics);
    }

    [Fact]
    public void SmallCorpus_TestClipsAreNoisy()
    {
        // Clean clips start and end in digital silence (leading/trailing silence is trimmed, then padded with zeros).
        var test = File.ReadAllLines(System.IO.Path.Combine(corpus.Root, "testing_list.txt"));
        var noisy = test.Concat(File.ReadAllLines(System.IO.Path.Combine(corpus.Root, "validation_list.txt"))).ToHashSet();
        var train = Directory.GetFiles(System.IO.Path.Combine(corpus.Root, "yes")).Where(f => !noisy.Contains("yes/" + System.IO.Path.GetFileName(f))).ToList();
        Assert.NotEmpty(train);
        Assert.All(train, f => Assert.Equal(0f, WavReader.Read(f).Samples[^1]));
        Assert.All(test, f => Assert.NotEqual(0f, WavReader.Read(System.IO.Path.Combine(corpus.Root, f)).Samples.Skip(15900).Max(Math.Abs)));
    }

    [Fact]
    public void SmallCorpus_SecondRunIsCachedAndARebuildIsIdentical()
    {
        Assert.Contains("up to date", CorpusScript.Run("--out", corpus.Root, "--small"), StringComparison.Ordinal);

        var copy = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(corpus.Root)!, "copy");
        CorpusScript.Run("--out", copy, "--small", "--jobs", "2");

        Assert.Equal(Hashes(corpus.Root), Hashes(copy));
    }

    private static List<string> Hashes(string root) =>
        [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{System.IO.Path.GetRelativePath(root, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")];
}
