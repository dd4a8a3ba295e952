using System.Text.RegularExpressions;
using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests;

public sealed class AccessorWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-accessor-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Write_BrotliModel_DecompressesWithBrotliOnly_AndEscapesLabels()
    {
        var code = Generate("brotli", "\"yes\",\"say \\\"no\\\"\",\"caf\\u00e9\"", "App.Voice");

        Assert.Contains("namespace App.Voice", code, StringComparison.Ordinal);
        Assert.Contains("public static class Kws", code, StringComparison.Ordinal);
        Assert.Contains("public const string ResourceName = \"Kws.onnx\";", code, StringComparison.Ordinal);
        Assert.Contains("public const int SampleRate = 16000;", code, StringComparison.Ordinal);
        Assert.Contains("new string[] { \"yes\", \"say \\\"no\\\"\", \"caf\\u00e9\" }", code, StringComparison.Ordinal);
        Assert.Contains("new long[] { -1L, 16000L }", code, StringComparison.Ordinal);
        Assert.Contains("BrotliStream(stream", code, StringComparison.Ordinal);
        Assert.DoesNotContain("GZipStream", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ShuffledModel_CarriesTheCoreDecoderOnce_AndUndoesBothLayers()
    {
        var code = Generate("brotli", "\"yes\"", "App.Voice", filter: "shuffle");

        Assert.Contains("public const string Filter = \"shuffle\";", code, StringComparison.Ordinal);
        Assert.Contains("using (var decompressed = new global::System.IO.Compression.BrotliStream(stream", code, StringComparison.Ordinal);
        Assert.Contains("return new global::System.IO.MemoryStream(EmbeddedFilterDecoder.Decode(buffer.ToArray()), writable: false);", code, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(code, "private static class EmbeddedFilterDecoder"));
        Assert.DoesNotContain("internal static class", code, StringComparison.Ordinal);
        var core = File.ReadAllText(Path.Combine(PackagedTool.RepositoryRoot, "src", "Compress.Core", "Export", "EmbeddedFilterDecoder.cs"));
        var decode = core[core.IndexOf("    public static byte[] Decode", StringComparison.Ordinal)..core.IndexOf("    private static void Unshuffle", StringComparison.Ordinal)];
        Assert.Contains(string.Join('\n', decode.Split('\n').Select(l => l.Length == 0 ? l : "        " + l)), code, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UnfilteredModel_HasNoDecoder()
    {
        var code = Generate("gzip", "\"yes\"", "App.Voice");

        Assert.Contains("public const string Filter = \"none\";", code, StringComparison.Ordinal);
        Assert.DoesNotContain("EmbeddedFilterDecoder", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UncompressedModel_InGlobalNamespace_ReturnsTheResourceStream()
    {
        var code = Generate("none", "\"a\"", "");

        Assert.DoesNotContain("namespace", code, StringComparison.Ordinal);
        Assert.Contains("return stream;", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Compression.", code.Replace("public const string Compression", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WakeWordModel_ShipsItsLabelIndexAndThreshold()
    {
        var code = Generate("gzip", "\"_negative_\",\"hey_computer\"", "App.Voice", extra: ",\"wakeWord\":{\"label\":\"hey_computer\",\"index\":1,\"faPerHour\":0.5,\"threshold\":0.8125,\"falseRejectRate\":0.04}");

        Assert.Contains("public const string WakeWord = \"hey_computer\";", code, StringComparison.Ordinal);
        Assert.Contains("public const int WakeWordIndex = 1;", code, StringComparison.Ordinal);
        Assert.Contains("public const double FaPerHour = 0.5;", code, StringComparison.Ordinal);
        Assert.Contains("public const float Threshold = 0.8125f;", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ClassifierModel_HasNoWakeWordConstants_AndAnEmptySessionConfig()
    {
        var code = Generate("gzip", "\"yes\",\"no\"", "App.Voice");

        Assert.DoesNotContain("WakeWord", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Threshold", code, StringComparison.Ordinal);
        Assert.Contains("SessionConfig = global::System.Array.AsReadOnly(new global::System.Collections.Generic.KeyValuePair<string, string>[] { });", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Int8WeightModel_ShipsTheSessionConfigItWasMeasuredWith()
    {
        var code = Generate("gzip", "\"yes\"", "App.Voice", extra: ",\"sessionConfig\":{\"session.disable_quant_qdq\":\"1\"}");

        Assert.Contains(
            "SessionConfig = global::System.Array.AsReadOnly(new global::System.Collections.Generic.KeyValuePair<string, string>[] { new global::System.Collections.Generic.KeyValuePair<string, string>(\"session.disable_quant_qdq\", \"1\") });",
            code,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Task_IsDeterministic_AndDoesNotRewriteAnUnchangedFile()
    {
        var manifest = WriteManifest("gzip", "\"yes\"");
        var output = Path.Combine(_root, "CompressedModels.g.cs");
        bool Run() => new CompressGenerateAccessor { BuildEngine = new FakeBuildEngine(), Models = new[] { Item(manifest) }, OutputFile = output, Namespace = "N" }.Execute();

        Assert.True(Run());
        var text = File.ReadAllText(output);
        File.SetLastWriteTimeUtc(output, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.True(Run());

        Assert.Equal(text, File.ReadAllText(output));
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(output));
        Assert.DoesNotContain(_root, text, StringComparison.Ordinal);
    }

    private string Generate(string compression, string labels, string ns, string filter = "none", string extra = "")
    {
        var manifest = WriteManifest(compression, labels, filter, extra);
        var output = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".g.cs");
        var task = new CompressGenerateAccessor { BuildEngine = new FakeBuildEngine(), Models = new[] { Item(manifest) }, OutputFile = output, Namespace = ns };
        Assert.True(task.Execute());
        Assert.True(task.Generated);
        return File.ReadAllText(output);
    }

    private static Microsoft.Build.Utilities.TaskItem Item(string manifest)
    {
        var item = new Microsoft.Build.Utilities.TaskItem("/src/compress.yaml");
        item.SetMetadata("ManifestFile", manifest);
        item.SetMetadata("ClassName", "Kws");
        item.SetMetadata("LogicalName", "Kws.onnx");
        item.SetMetadata("OutputName", "Kws.onnx");
        return item;
    }

    private string WriteManifest(string compression, string labels, string filter = "none", string extra = "")
    {
        var path = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".manifest.json");
        File.WriteAllText(path, "{\"schemaVersion\":1,\"toolVersion\":\"0.1.0\",\"output\":\"Kws.onnx\",\"compression\":\"" + compression + "\",\"filter\":\"" + filter + "\",\"labels\":[" + labels
            + "],\"sampleRate\":16000,\"inputName\":\"pcm\",\"inputShape\":[-1,16000],\"outputName\":\"logits\",\"inputs\":[],\"sha256\":\"00\"" + extra + "}");
        return path;
    }
}
