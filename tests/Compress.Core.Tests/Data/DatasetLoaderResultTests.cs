using Compress.Core.Tests.Pipeline;
using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Core.Tests.Data;

public sealed class DatasetLoaderResultTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 2, clipsPerSpeaker: 1);

    [Fact]
    public void TryLoad_BadFileUnderFail_IsAFailedResultNamingTheFile_NotAnException()
    {
        var broken = Path.Combine(_corpus.Root, "low", "broken_nohash_0.wav");
        File.WriteAllText(broken, "not a wave file");

        var result = DatasetLoader.TryLoad(Options(BadFilePolicy.Fail));

        Assert.True(result.Failed);
        var error = Assert.Single(result.Diagnostics);
        Assert.StartsWith("CMP300", error.Code, StringComparison.Ordinal);
        Assert.Equal(broken, error.File);
        Assert.Equal(error.Code, Assert.Throws<CompressException>(() => DatasetLoader.Load(Options(BadFilePolicy.Fail))).Diagnostics.Single().Code);
    }

    [Fact]
    public void TryLoad_BadFileUnderSkip_IsAWarningWithTheDataset()
    {
        File.WriteAllText(Path.Combine(_corpus.Root, "low", "broken_nohash_0.wav"), "not a wave file");

        var result = DatasetLoader.TryLoad(Options(BadFilePolicy.Skip));

        using var dataset = result.Value!;
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains(result.Diagnostics, d => d.Code == DataMessages.BadFilesSkippedCode);
    }

    private DatasetOptions Options(BadFilePolicy policy) =>
        new(DatasetFormat.SpeechCommands, _corpus.Root, ToneCorpus.Words, OnBadFile: policy);

    public void Dispose() => _corpus.Dispose();
}
