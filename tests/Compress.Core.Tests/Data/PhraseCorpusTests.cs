using System.Diagnostics;
using Compress.Audio;

namespace Compress.Core.Tests.Data;

/// <summary>Builds the small phrase corpus once (tools/corpus/make-phrases.sh --small) for the tests of this class.</summary>
public sealed class SmallPhraseCorpusFixture : IDisposable
{
    public SmallPhraseCorpusFixture()
    {
        Root = Path.Combine(Directory.CreateTempSubdirectory("compress-phrases-").FullName, "phrases");
        Output = Run("--out", Root, "--small");
    }

    /// <summary>tools/corpus/make-phrases.sh, beside make-corpus.sh.</summary>
    public static string Script { get; } = Path.Combine(Path.GetDirectoryName(CorpusScript.Path)!, "make-phrases.sh");

    public string Root { get; }

    public string Output { get; }

    /// <summary>Runs the generator; returns its standard output, failing the test on a non-zero exit.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"make-phrases.sh failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
}

public sealed class PhraseCorpusTests(SmallPhraseCorpusFixture corpus) : IClassFixture<SmallPhraseCorpusFixture>
{
    [Fact]
    public void SmallPhraseCorpus_ManifestIsCompleteAndVoiceDisjoint()
    {
        var lines = File.ReadAllLines(Path.Combine(corpus.Root, "manifest.csv"));
        Assert.Equal("path,transcript,split", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(3, r.Length));
        Assert.Equal(144, rows.Count);
        Assert.Equal(rows.Select(r => r[0]).Order(StringComparer.Ordinal), rows.Select(r => r[0]));

        var phrases = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(SmallPhraseCorpusFixture.Script)!, "phrases.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Equal(100, phrases.Count);
        Assert.All(rows, r => Assert.Contains(r[1], phrases));
        Assert.Equal(12, rows.Select(r => r[1]).Distinct().Count());
        Assert.Equal(["test", "train", "validation"], rows.Select(r => r[2]).Distinct().Order());

        Assert.All(rows, r =>
        {
            var (format, frames) = WavReader.Inspect(Path.Combine(corpus.Root, r[0]));
            Assert.Equal(new WavFormat(WavEncoding.Pcm, 1, 16000, 16), format);
            Assert.InRange(frames, 3200, 48000);
        });

        // speakers.tsv: speaker, engine+voice/variant, split. A base voice (all its variants) is in one split only.
        var speakers = File.ReadAllLines(Path.Combine(corpus.Root, "speakers.tsv")).Skip(1).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => (Voice: f[1].Split('/')[0], Split: f[2]));
        Assert.All(rows, r => Assert.Equal(speakers[r[0].Split('/')[1]].Split, r[2]));
        var splitsOfVoice = speakers.Values.GroupBy(s => s.Voice).Select(g => g.Select(s => s.Split).Distinct().Count());
        Assert.All(splitsOfVoice, n => Assert.Equal(1, n));
    }

    [Fact]
    public void SmallPhraseCorpus_TrainIsCleanTestIsNoisyAndSecondRunIsCached()
    {
        var rows = File.ReadAllLines(Path.Combine(corpus.Root, "manifest.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        float Last(string[] r) => WavReader.Read(Path.Combine(corpus.Root, r[0])).Samples[^1];
        Assert.All(rows.Where(r => r[2] == "train"), r => Assert.Equal(0f, Last(r)));
        // Noisy clips end in noise, not digital silence; babble (summed streams of clean clips) can itself have a
        // silent stretch, so most of them rather than all.
        var noisy = rows.Where(r => r[2] != "train").ToList();
        Assert.InRange(noisy.Count(r => WavReader.Read(Path.Combine(corpus.Root, r[0])).Samples.TakeLast(100).Max(Math.Abs) > 0), noisy.Count * 8 / 10, noisy.Count);
        Assert.All(rows, r => Assert.InRange(WavReader.Read(Path.Combine(corpus.Root, r[0])).Samples.Max(Math.Abs), 0.05f, 1f));

        Assert.Contains("up to date", SmallPhraseCorpusFixture.Run("--out", corpus.Root, "--small"), StringComparison.Ordinal);
    }
}
