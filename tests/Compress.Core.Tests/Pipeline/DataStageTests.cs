using Compress.Diagnostics;
using Compress.Features;
using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

[Collection(Training.TorchThreadsCollection.Name)]
public sealed class DataStageTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 4, clipsPerSpeaker: 1);

    [Fact]
    public void Data_FingerprintsEveryFileOnce_AndTheCacheKeyFromThoseHashesIsTheKeyFromTheFiles()
    {
        var spec = StageSpecs.Write(_corpus, "model:\n  path: none.onnx");
        var plan = SpecMapping.ToPlan(StageSpecs.Request(spec));
        var context = StageSpecs.Context();

        var result = DataStage.Run(plan, context);

        using var data = result.Value!;
        var items = data.Dataset.Train.Concat(data.Dataset.Validation).Concat(data.Dataset.Test).Where(i => i.Path.Length > 0).ToList();
        Assert.All(items, i => Assert.Equal(RunManifest.HashFile(i.Path), data.Fingerprint.Files[Path.GetFullPath(i.Path)]));
        Assert.Equal(
            FeatureCache.Key(data.Dataset.Test, plan.FrontEnd, null, plan.Seed, data.Dataset.BackgroundNoise),
            FeatureCache.Key(data.Dataset.Test, plan.FrontEnd, null, plan.Seed, data.Dataset.BackgroundNoise, data.Fingerprint.Files));
        Assert.Equal(data.Dataset.Test.Count, data.Test.Count);
        Assert.Equal(["load", "features"], context.Timings.Select(t => t.Stage));
    }

    [Fact]
    public void Data_SkippedBadFile_IsAWarningOfTheResult()
    {
        File.WriteAllText(Path.Combine(_corpus.Root, "low", "broken_nohash_0.wav"), "not a wave file");
        var spec = StageSpecs.Write(_corpus, "model:\n  path: none.onnx", data: "  on_bad_file: skip");

        var result = DataStage.Run(SpecMapping.ToPlan(StageSpecs.Request(spec)), StageSpecs.Context());

        using var data = result.Value!;
        Assert.Contains(result.Diagnostics, d => d.Code == DataMessages.BadFilesSkippedCode && d.Severity == DiagnosticSeverity.Warning);
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
    }

    public void Dispose() => _corpus.Dispose();
}
