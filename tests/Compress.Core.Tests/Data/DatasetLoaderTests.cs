using Compress.Audio;
using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Core.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("a69b9b3e_nohash_0.wav", DatasetSplit.Validation)]
    [InlineData("0a7c2a8d_nohash_3.wav", DatasetSplit.Train)]
    [InlineData("voiceA_nohash_12.wav", DatasetSplit.Test)]
    [InlineData("voiceA.wav", DatasetSplit.Test)]
    public void HashingRule_MatchesTensorFlowsWhichSet(string file, DatasetSplit expected) =>
        Assert.Equal(expected, SpeechCommandsSplit.Which(file, 10, 10));

    [Fact]
    public void SpeechCommands_WithLists_SplitsUnknownAndSilenceFollowTheConventions()
    {
        foreach (var word in new[] { "yes", "no", "tree", "dog" })
        {
            for (var s = 0; s < 10; s++)
            {
                Wav($"{word}/s{s}_nohash_0.wav");
            }
        }

        Wav("_background_noise_/pink.wav", 16000);
        File.WriteAllLines(Path.Combine(_root, "validation_list.txt"), ["yes/s0_nohash_0.wav", "no/s0_nohash_0.wav", "tree/s0_nohash_0.wav"]);
        File.WriteAllLines(Path.Combine(_root, "testing_list.txt"), ["yes/s1_nohash_0.wav", "no/s1_nohash_0.wav", "dog/s1_nohash_0.wav"]);
        var options = new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["_silence_", "_unknown_", "yes", "no"], UnknownFraction: 0.5, SilenceFraction: 0.25);

        using var data = DatasetLoader.Load(options);

        Assert.Equal(["_silence_", "_unknown_", "yes", "no"], data.Labels);
        Assert.Equal(8, data.Count(DatasetSplit.Train, "yes"));
        Assert.Equal(8, data.Count(DatasetSplit.Train, "no"));
        Assert.Equal(8, data.Count(DatasetSplit.Train, "_unknown_")); // ceil(16 · 0.5) of 16 tree/dog files
        Assert.Equal(4, data.Count(DatasetSplit.Train, "_silence_"));
        Assert.Equal(1, data.Count(DatasetSplit.Validation, "_unknown_")); // only tree/s0 is a validation unknown
        Assert.Equal(1, data.Count(DatasetSplit.Validation, "_silence_")); // ceil(2 · 0.25)
        Assert.Equal(Path.Combine(_root, "yes", "s0_nohash_0.wav"), data.Validation.Single(i => i.LabelName == "yes").Path);
        Assert.All(data.Train.Where(i => i.LabelName == "_silence_"), i => Assert.Equal("", i.Path));
        Assert.All(data.Train, i => Assert.Equal(data.Labels[i.Label], i.LabelName));
        Assert.Equal([Path.Combine(_root, "_background_noise_", "pink.wav")], data.BackgroundNoise);
        Assert.Empty(data.Diagnostics);
        Assert.Equal(12, data.Counts.Count);
    }

    [Fact]
    public void SpeechCommands_WithoutLists_UsesTheHashingRuleAndIsSeededDeterministic()
    {
        for (var s = 0; s < 40; s++)
        {
            Wav($"yes/spk{s}_nohash_0.wav");
            Wav($"yes/spk{s}_nohash_1.wav");
            Wav($"cat/spk{s}_nohash_0.wav");
        }

        var options = new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["yes", "_unknown_"], Seed: 7);

        using var first = DatasetLoader.Load(options);
        using var again = DatasetLoader.Load(options);

        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            Assert.Equal(first.Items(split), again.Items(split));
            Assert.All(first.Items(split).Where(i => i.LabelName == "yes"), i => Assert.Equal(split, SpeechCommandsSplit.Which(i.Path, 10, 10)));
        }

        var speakers = Enum.GetValues<DatasetSplit>().Select(s => first.Items(s).Select(i => SpeechCommandsSplit.SpeakerOf(i.Path)).ToHashSet()).ToList();
        Assert.Empty(speakers[0].Intersect(speakers[1]));
        Assert.Empty(speakers[0].Intersect(speakers[2]));
        Assert.True(first.Validation.Count > 0 && first.Test.Count > 0);
    }

    [Fact]
    public void SpeechCommands_BadFiles_AreAllReportedThenFail()
    {
        Wav("yes/a_nohash_0.wav");
        File.WriteAllText(Path.Combine(_root, "yes", "b_nohash_0.wav"), "not audio");
        File.WriteAllBytes(Path.Combine(_root, "yes", "c_nohash_0.wav"), WavWriter.Encode(new float[100], 16000)[..60]);
        var options = new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["yes"]);

        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(options));

        Assert.Equal([DataMessages.NotWaveCode, DataMessages.TruncatedCode], e.Diagnostics.Select(d => d.Code));
        Assert.EndsWith("b_nohash_0.wav", e.Diagnostics[0].File, StringComparison.Ordinal);
    }

    [Fact]
    public void SpeechCommands_BadFiles_AreSkippedWithWarnings()
    {
        Wav("yes/a_nohash_0.wav");
        File.WriteAllText(Path.Combine(_root, "yes", "b_nohash_0.wav"), "not audio");
        var options = new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["yes"], OnBadFile: BadFilePolicy.Skip, ValidationPercent: 0, TestingPercent: 0);

        using var data = DatasetLoader.Load(options, "compress.yaml");

        Assert.Single(data.Train);
        Assert.Contains(data.Diagnostics, d => d.Code == DataMessages.NotWaveCode && d.Severity == DiagnosticSeverity.Warning);
        var summary = Assert.Single(data.Diagnostics, d => d.Code == DataMessages.BadFilesSkippedCode);
        Assert.Equal("compress.yaml", summary.File);
    }

    [Fact]
    public void SpeechCommands_LabelWithoutFiles_AndMissingRoot_Fail()
    {
        Wav("yes/a_nohash_0.wav");

        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["yes", "no", "up"])));
        Assert.Equal(["no", "up"], e.Diagnostics.Select(d => d.Message.Split('\'')[1]));
        Assert.All(e.Diagnostics, d => Assert.Equal(DataMessages.LabelWithoutExamplesCode, d.Code));

        var missing = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, Path.Combine(_root, "nope"), ["yes"])));
        Assert.Equal(DataMessages.DatasetMissingCode, Assert.Single(missing.Diagnostics).Code);
    }

    [Fact]
    public void SpeechCommands_ExtraWordsWithoutUnknown_AreReported()
    {
        Wav("yes/a_nohash_0.wav");
        Wav("cat/a_nohash_0.wav");

        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["yes"], ValidationPercent: 0, TestingPercent: 0));

        Assert.Contains(data.Diagnostics, d => d.Code == DataMessages.UnusedWordsCode && d.Message.Contains("cat", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("list.csv", ",")]
    [InlineData("list.tsv", "\t")]
    public void Manifest_ReadsPathLabelAndSplit(string name, string separator)
    {
        Wav("clips/one.wav");
        Wav("clips/two.wav");
        Wav("clips/three.wav");
        File.WriteAllLines(Path.Combine(_root, name), [
            string.Join(separator, "path", "label", "split"),
            string.Join(separator, "clips/one.wav", "go", "train"),
            "# a comment",
            string.Join(separator, "\"clips/two.wav\"", "stop", "validation"),
            string.Join(separator, "clips/three.wav", "go", "test"),
        ]);

        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.Manifest, _root, ["stop", "go"], Manifest: name));

        Assert.Equal(new AudioItem(Path.Combine(_root, "clips", "one.wav"), 1, "go"), Assert.Single(data.Train));
        Assert.Equal(new AudioItem(Path.Combine(_root, "clips", "two.wav"), 0, "stop"), Assert.Single(data.Validation));
        Assert.Equal("go", Assert.Single(data.Test).LabelName);
    }

    [Fact]
    public void Manifest_BadLines_AreAllReportedWithLineNumbers()
    {
        File.WriteAllLines(Path.Combine(_root, "bad.csv"), ["a.wav", "b.wav,go,later", "c.wav,go,train,extra"]);

        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.Manifest, _root, ["go"], Manifest: "bad.csv")));

        Assert.Equal([1, 2, 3], e.Diagnostics.Select(d => d.Line ?? 0));
        Assert.All(e.Diagnostics, d => Assert.Equal(DataMessages.ManifestLineCode, d.Code));
    }

    [Fact]
    public void Npy_OneFile_IsSplitByRowAndMemoryMapped()
    {
        const int n = 200;
        var features = Enumerable.Range(0, n * 6).Select(i => i * 0.5f).ToArray();
        NpyWriter.Floats(Path.Combine(_root, "x.npy"), features, n, 2, 3);
        NpyWriter.Longs(Path.Combine(_root, "y.npy"), [.. Enumerable.Range(0, n).Select(i => (long)(i % 3))]);

        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.Npy, _root, ["a", "b", "c"], FeaturesPath: "x.npy", LabelsPath: "y.npy"));

        var sets = data.Features!;
        Assert.Equal(n, sets.Train.Count + sets.Validation.Count + sets.Test.Count);
        Assert.InRange(sets.Validation.Count, 8, 35);
        Assert.Equal([2L, 3], sets.Train.ItemShape);
        var row = ((NpyFeatureSet)sets.Test).Rows[0];
        var item = new float[6];
        sets.Test.ReadFeatures(0, item);
        Assert.Equal(features.AsSpan(row * 6, 6).ToArray(), item);
        Assert.Equal(row % 3, sets.Test.LabelOf(0));
        Assert.Equal(n, data.Counts.Sum(c => c.Count));
    }

    [Fact]
    public void Npy_PerSplitFiles_AndFloat16()
    {
        foreach (var split in new[] { "train", "validation", "test" })
        {
            NpyWriter.Halves(Path.Combine(_root, $"{split}_x.npy"), [0.5f, -1.25f, 2f, 3f], 2, 2);
            NpyWriter.Longs(Path.Combine(_root, $"{split}_y.npy"), [1, 0]);
        }

        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.Npy, _root, ["a", "b"], FeaturesPath: "{split}_x.npy", LabelsPath: "{split}_y.npy"));

        var item = new float[2];
        data.Features!.Validation.ReadFeatures(0, item);
        Assert.Equal([0.5f, -1.25f], item);
        Assert.Equal(1, data.Features.Validation.LabelOf(0));
    }

    [Fact]
    public void Npy_BadDtypeAndLabels_ReportCmp3104()
    {
        NpyWriter.Write(Path.Combine(_root, "x.npy"), "<i4", [2, 2], new byte[16]);
        NpyWriter.Floats(Path.Combine(_root, "f.npy"), [1, 2, 3, 4], 2, 2);
        NpyWriter.Longs(Path.Combine(_root, "y.npy"), [0, 5]);

        var dtype = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.Npy, _root, ["a", "b"], FeaturesPath: "x.npy", LabelsPath: "y.npy")));
        var label = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.Npy, _root, ["a", "b"], FeaturesPath: "f.npy", LabelsPath: "y.npy")));

        Assert.Equal(DataMessages.NpyInvalidCode, Assert.Single(dtype.Diagnostics).Code);
        Assert.Contains("label 5", Assert.Single(label.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_ReportEveryProblem()
    {
        var e = Assert.Throws<CompressException>(() => DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, _root, ["a", "a"], ValidationPercent: 70, TestingPercent: 40), "spec.yaml"));

        Assert.Equal(2, e.Diagnostics.Count);
        Assert.All(e.Diagnostics, d => Assert.Equal(("spec.yaml", DataMessages.InvalidDatasetOptionsCode), (d.File, d.Code)));
    }

    private void Wav(string relative, int samples = 800)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.Write(path, [.. Enumerable.Range(0, samples).Select(i => (float)Math.Sin(i * 0.3) * 0.3f)], 16000);
    }
}
