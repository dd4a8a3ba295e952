using Compress.Pipeline;

namespace Compress.MSBuild.Tests;

public sealed class StampTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-stamp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void WhyStale_WithRelativeManifestPaths_IsNullUntilSomethingChanges_AndSaysWhat()
    {
        var model = Prepare();
        Assert.Null(Stamp.WhyStale(model, "tool-1"));

        Assert.Equal("the tool, its arguments, or the set of input files changed", Stamp.WhyStale(model, "tool-2"));

        File.WriteAllText(Path.Combine(_root, "data", "yes", "b.wav"), "another clip");
        Assert.Equal("the tool, its arguments, or the set of input files changed", Stamp.WhyStale(model, "tool-1"));
        File.Delete(Path.Combine(_root, "data", "yes", "b.wav"));
        File.WriteAllText(Path.Combine(_root, "data", "yes", "readme.txt"), "other extensions do not count");
        Assert.Null(Stamp.WhyStale(model, "tool-1"));

        File.AppendAllText(Path.Combine(_root, "data", "yes", "a.wav"), "!");
        Assert.Equal(Path.Combine(_root, "data", "yes", "a.wav") + " changed", Stamp.WhyStale(model, "tool-1"));
    }

    [Fact]
    public void WhyStale_OutputNotMatchingItsManifest_OrMissingStamp_IsStale()
    {
        var model = Prepare();
        File.AppendAllText(model.OutputFile, "tampered");
        Assert.Equal(model.OutputFile + " does not match its manifest", Stamp.WhyStale(model, "tool-1"));

        var other = Prepare();
        File.Delete(other.StampFile);
        Assert.Equal(other.StampFile + " does not exist", Stamp.WhyStale(other, "tool-1"));
        Assert.Equal("dotnet-compress was not found", Stamp.WhyStale(Prepare(), null));
    }

    /// <summary>
    /// The stamp's inputs line is the shared inputs key (what <c>dotnet compress hash</c> prints) over the full input
    /// paths: the same for a manifest listing them relative to the spec or absolute, different when a clip is added.
    /// </summary>
    [Fact]
    public void Compute_RecordsTheInputsKeyOfTheFullPaths_AndAnAddedClipChangesIt()
    {
        var model = Prepare();
        var spec = Path.Combine(_root, "compress.yaml");
        var clip = Path.Combine(_root, "data", "yes", "a.wav");
        var stamp = File.ReadAllText(model.StampFile);
        var expected = InputsKey.Compute("1", spec, [new(spec, FileHash.Sha256(spec)), new(clip, FileHash.Sha256(clip))]);

        Assert.EndsWith($"\n{Stamp.InputsPrefix}{expected}\n", stamp, StringComparison.Ordinal);
        Assert.Contains($"\ninput {FileHash.Sha256(clip)} {clip}\n", InputsKey.Text("1", spec, [new("data/yes/a.wav", FileHash.Sha256(clip))]), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_root, "data", "yes", "b.wav"), "another clip");
        Assert.NotEqual(stamp, Stamp.Compute(CompressManifest.Read(model.ManifestFile), spec, "--seed 7", "tool-1"));
    }

    private ModelFiles Prepare()
    {
        var spec = Path.Combine(_root, "compress.yaml");
        File.WriteAllText(spec, "model: {}\n");
        Directory.CreateDirectory(Path.Combine(_root, "data", "yes"));
        File.WriteAllText(Path.Combine(_root, "data", "yes", "a.wav"), "clip");
        var obj = Path.Combine(_root, "obj", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(obj);
        var model = new ModelFiles(spec, "Kws.onnx", "Kws", "Kws.onnx", "--seed 7", obj);
        File.WriteAllText(model.OutputFile, "model bytes");
        File.WriteAllText(model.ManifestFile, "{\"schemaVersion\":1,\"toolVersion\":\"1\",\"output\":\"Kws.onnx\",\"compression\":\"none\",\"labels\":[\"yes\"],\"sampleRate\":16000,"
            + "\"inputName\":\"pcm\",\"inputShape\":[-1,16000],\"outputName\":\"logits\",\"inputs\":["
            + $"{{\"path\":\"compress.yaml\",\"sha256\":\"{FileHash.Sha256(spec)}\"}},{{\"path\":\"data/yes/a.wav\",\"sha256\":\"{FileHash.Sha256(Path.Combine(_root, "data", "yes", "a.wav"))}\"}}],"
            + $"\"sha256\":\"{FileHash.Sha256(model.OutputFile)}\"}}");
        File.WriteAllText(model.StampFile, Stamp.Compute(CompressManifest.Read(model.ManifestFile), spec, "--seed 7", "tool-1"));
        return model;
    }
}
