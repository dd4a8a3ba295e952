using Compress.Audio;
using Compress.Core.Tests.Graph;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Features;

namespace Compress.Core.Tests.Features;

public sealed class FeatureCacheTests : IDisposable
{
    private static readonly FrontEndOptions LogMel = new(FrontEndKind.LogMel, ClipSeconds: 0.5);

    /// <summary>
    /// The cached features are the executor's, the app's are ONNX Runtime's. The front end's factored DFT sums 32 and
    /// 16 terms at a time (two small MatMuls) where the Conv1d form summed 480, so the two runtimes now agree within
    /// 1e-6 on these clips (measured on an AMD EPYC without AVX-512). With the Conv1d form quiet bins differed by up to
    /// 4.8e-4 and 1e-3 was the bar (docs/native-runtime.md); 1e-4 leaves room for other CPUs' GEMM kernels.
    /// </summary>
    private static readonly Tolerance FrontEndTolerance = new(1e-4);
    private readonly string _temp = Directory.CreateTempSubdirectory("compress-cache-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Build_ComputesTheFrontEndOfEachFittedClip_ThenReusesTheFile()
    {
        var items = Items(5);
        var cache = Path.Combine(_temp, "cache");

        using var built = FeatureCache.Build(items, LogMel, cache, augmentation: null, seed: 1);
        using var again = FeatureCache.Build(items, LogMel, cache, augmentation: null, seed: 1);

        Assert.False(built.Reused);
        Assert.True(again.Reused);
        Assert.Equal(built.CacheFile, again.CacheFile);
        Assert.Equal(5, built.Count);
        Assert.Equal([1L, 24, 40], built.ItemShape);
        var model = FrontEndGraph.Build(LogMel);
        for (var i = 0; i < items.Count; i++)
        {
            var clip = WavReader.Read(items[i].Path).ResampleTo(16000).FitTo(LogMel.Samples);
            var expected = (float[])OrtRunner.Run(model, [CaseTensor.Floats("pcm", clip.Samples, 1, LogMel.Samples)])["features"].Data;
            var actual = new float[expected.Length];
            again.ReadFeatures(i, actual);
            var comparison = FrontEndTolerance.Compare(expected, actual);
            Assert.True(comparison.Passed, comparison.ToString());
            Assert.Equal(items[i].Label, again.LabelOf(i));
        }
    }

    [Fact]
    public void Build_ChangedFileContent_GivesANewKey()
    {
        var items = Items(3);
        var cache = Path.Combine(_temp, "cache");
        using (FeatureCache.Build(items, LogMel, cache, null, 1))
        {
        }

        WavWriter.Write(items[1].Path, new float[4000], 16000);
        using var rebuilt = FeatureCache.Build(items, LogMel, cache, null, 1);

        Assert.False(rebuilt.Reused);
        Assert.Equal(2, Directory.GetFiles(cache, "*" + FeatureCache.Extension).Length);
    }

    [Fact]
    public void Build_DamagedCacheFile_IsRebuiltWithAWarning()
    {
        var items = Items(3);
        var cache = Path.Combine(_temp, "cache");
        string file;
        using (var first = FeatureCache.Build(items, LogMel, cache, null, 1))
        {
            file = first.CacheFile;
        }

        File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);
        using var rebuilt = FeatureCache.Build(items, LogMel, cache, null, 1);

        Assert.False(rebuilt.Reused);
        Assert.Equal(DataMessages.CacheRebuiltCode, Assert.Single(rebuilt.Diagnostics).Code);
        Assert.Equal(3, rebuilt.Count);
    }

    [Fact]
    public void Build_NoFrontEnd_StoresTheFittedPcm()
    {
        var items = Items(2);
        var raw = new FrontEndOptions(FrontEndKind.None, ClipSeconds: 0.5);

        using var set = FeatureCache.Build(items, raw, _temp, null, 1);

        Assert.Equal([1L, 8000], set.ItemShape);
        var actual = new float[8000];
        set.ReadFeatures(1, actual);
        Assert.Equal(WavReader.Read(items[1].Path).ResampleTo(16000).FitTo(8000).Samples, actual);
    }

    [Fact]
    public void Build_Augmented_IsSeededReproducibleAndMakesDistinctCopies()
    {
        var items = Items(3).Append(new AudioItem("", 2, "_silence_")).ToList();
        var noise = Path.Combine(_temp, "noise.wav");
        var random = new Random(3);
        WavWriter.Write(noise, [.. Enumerable.Range(0, 32000).Select(_ => (float)(random.NextDouble() - 0.5) * 0.5f)], 16000);
        var augmentation = new AugmentationOptions(Copies: 2, TimeMasks: 1, FreqMasks: 1);
        var raw = new FrontEndOptions(FrontEndKind.None, ClipSeconds: 0.5);
        var progress = new List<(int, int)>();

        using var a = FeatureCache.Build(items, raw, Path.Combine(_temp, "a"), augmentation, 5, new SyncProgress(progress), backgroundNoise: [noise]);
        using var b = FeatureCache.Build(items, raw, Path.Combine(_temp, "b"), augmentation, 5, backgroundNoise: [noise]);
        using var clean = FeatureCache.Build(items, raw, Path.Combine(_temp, "c"), null, 5, backgroundNoise: [noise]);

        Assert.Equal(8, a.Count);
        Assert.Equal((8, 8), progress[^1]);
        Assert.Equal(File.ReadAllBytes(a.CacheFile), File.ReadAllBytes(b.CacheFile));
        var copy0 = Read(a, 0);
        var copy1 = Read(a, 4);
        Assert.NotEqual(copy0, copy1);
        Assert.NotEqual(Read(clean, 0), copy0);
        Assert.Equal(a.LabelOf(0), a.LabelOf(4));
        Assert.Contains(Read(clean, 3), v => v != 0); // silence is background noise
        using var seed6 = FeatureCache.Build(items, raw, Path.Combine(_temp, "a"), augmentation, 6, backgroundNoise: [noise]);
        Assert.NotEqual(copy0, Read(seed6, 0));
    }

    [Fact]
    public void Build_SilenceWithoutBackground_IsZeros()
    {
        using var set = FeatureCache.Build([new AudioItem("", 0, "_silence_")], new FrontEndOptions(FrontEndKind.None, ClipSeconds: 0.1), _temp, null, 1);

        Assert.All(Read(set, 0), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Build_Cancelled_LeavesNoFile()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => FeatureCache.Build(Items(2), LogMel, _temp, null, 1, ct: cancel.Token));

        Assert.DoesNotContain(Directory.GetFiles(_temp, "*", SearchOption.AllDirectories), f => !f.EndsWith(".wav", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_UndecodableFile_ReportsItsDiagnostic()
    {
        var items = Items(2);
        File.WriteAllText(items[1].Path, "not a wave file");

        var e = Assert.Throws<CompressException>(() => FeatureCache.Build(items, LogMel, _temp, null, 1));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal((DataMessages.NotWaveCode, items[1].Path), (d.Code, d.File));
    }

    [Fact]
    public void Build_ForADatasetSplit_AugmentsOnlyTheTrainingSplit()
    {
        var root = Path.Combine(_temp, "sc");
        foreach (var (word, speaker) in new[] { ("yes", "a"), ("yes", "b"), ("no", "a"), ("no", "b") })
        {
            Directory.CreateDirectory(Path.Combine(root, word));
            WavWriter.Write(Path.Combine(root, word, $"{speaker}_nohash_0.wav"), [.. Enumerable.Range(0, 8000).Select(i => (float)Math.Sin(i * (word == "yes" ? 0.1 : 0.2)) * 0.3f)], 16000);
        }

        File.WriteAllLines(Path.Combine(root, "testing_list.txt"), ["yes/b_nohash_0.wav", "no/b_nohash_0.wav"]);
        using var data = DatasetLoader.Load(new DatasetOptions(DatasetFormat.SpeechCommands, root, ["yes", "no"]));
        var augmentation = new AugmentationOptions(Copies: 3);
        var cache = Path.Combine(_temp, "cache");

        using var train = FeatureCache.Build(data, DatasetSplit.Train, LogMel, cache, augmentation, 1);
        using var test = FeatureCache.Build(data, DatasetSplit.Test, LogMel, cache, augmentation, 1);
        using var clean = FeatureCache.Build(data.Test, LogMel, cache, null, 1);

        Assert.Equal(6, train.Count);
        Assert.Equal(2, test.Count);
        Assert.Equal(clean.CacheFile, test.CacheFile);
    }

    [Fact]
    public void MaskFeatures_FillsWholeFramesAndBinsWithTheMean()
    {
        var options = new AugmentationOptions(TimeMasks: 2, FreqMasks: 2, TimeMaskFrames: 4, FreqMaskBins: 3);
        var masked = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var features = Enumerable.Range(0, 10 * 8).Select(i => (float)i).ToArray();
            ClipPreparer.MaskFeatures(options, features, 10, 8, new Random(seed));
            var mean = Enumerable.Range(0, 80).Average();
            var filled = features.Select((v, i) => (v, i)).Where(p => p.v == (float)mean && p.i != (int)mean).ToList();
            masked += filled.Count;
            Assert.All(filled, p => Assert.True(
                features.AsSpan((p.i / 8) * 8, 8).ToArray().All(v => v == (float)mean)
                || Enumerable.Range(0, 10).All(t => features[(t * 8) + (p.i % 8)] == (float)mean)));
        }

        Assert.True(masked > 0);
    }

    private static float[] Read(IFeatureSet set, int index)
    {
        var values = new float[set.ItemShape.Aggregate(1L, (a, d) => a * d)];
        set.ReadFeatures(index, values);
        return values;
    }

    /// <summary>Clips of different lengths, rates and tones; odd items at 8 kHz so they are resampled.</summary>
    private List<AudioItem> Items(int count)
    {
        var items = new List<AudioItem>();
        for (var i = 0; i < count; i++)
        {
            var rate = i % 2 == 0 ? 16000 : 8000;
            var length = rate * (3 + i) / 10;
            var path = Path.Combine(_temp, $"clip{i}.wav");
            WavWriter.Write(path, [.. Enumerable.Range(0, length).Select(n => (float)(0.4 * Math.Sin(2 * Math.PI * (200 + (150 * i)) * n / rate)))], rate);
            items.Add(new AudioItem(path, i % 2, i % 2 == 0 ? "yes" : "no"));
        }

        return items;
    }

    private sealed class SyncProgress(List<(int, int)> reports) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => reports.Add(value);
    }
}
