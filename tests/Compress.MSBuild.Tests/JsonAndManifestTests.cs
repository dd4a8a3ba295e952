namespace Compress.MSBuild.Tests;

public sealed class JsonAndManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Json_ParsesNestedValuesAndEscapes()
    {
        var value = JsonReader.Parse("""{"a":[1,-2.5e1,true,false,null],"s":"x\"\\\/\n\u00e9"}""");

        var obj = Assert.IsType<Dictionary<string, object?>>(value);
        Assert.Equal(new object?[] { 1.0, -25.0, true, false, null }, Assert.IsType<List<object?>>(obj["a"]));
        Assert.Equal("x\"\\/\n\u00e9", obj["s"]);
    }

    [Theory]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1 2]")]
    [InlineData("{\"a\":1} x")]
    [InlineData("\"unterminated")]
    [InlineData("{'a':1}")]
    public void Json_RejectsMalformedInput(string text) =>
        Assert.Throws<FormatException>(() => JsonReader.Parse(text));

    [Fact]
    public void Manifest_ReadsEveryContractField()
    {
        var path = Write("""
            {"schemaVersion":1,"toolVersion":"0.1.0","output":"Kws.onnx","compression":"brotli","filter":"shuffle","labels":["yes","no"],
             "sampleRate":16000,"inputName":"pcm","inputShape":[-1,16000],"outputName":"logits",
             "inputs":[{"path":"/abs/model.onnx","sha256":"AB"},{"path":"data/yes/a.wav","sha256":"cd"}],"sha256":"EF01"}
            """);

        var m = CompressManifest.Read(path);

        Assert.Equal(("0.1.0", "brotli", "shuffle", 16000, "pcm", "logits", "ef01"), (m.ToolVersion, m.Compression, m.Filter, m.SampleRate, m.InputName, m.OutputName, m.Sha256));
        Assert.Equal(new[] { "yes", "no" }, m.Labels);
        Assert.Equal(new long[] { -1, 16000 }, m.InputShape);
        Assert.Equal(new[] { ("/abs/model.onnx", "ab"), ("data/yes/a.wav", "cd") }, m.Inputs.Select(i => (i.Path, i.Sha256)));
    }

    [Fact]
    public void Manifest_ReadsAWakeWordOperatingPoint_AndRejectsOneThatIsNotItsLabel()
    {
        const string Head = """{"schemaVersion":1,"toolVersion":"0.1.0","output":"W.onnx","compression":"gzip","labels":["_negative_","marvin"],"sampleRate":16000,"inputName":"pcm","inputShape":[-1,16000],"outputName":"p","inputs":[],"sha256":"00",""";

        var m = CompressManifest.Read(Write(Head + "\"wakeWord\":{\"label\":\"marvin\",\"index\":1,\"faPerHour\":0.5,\"threshold\":0.75,\"falseRejectRate\":0.1}}"));
        var wrongIndex = Assert.Throws<FormatException>(() => CompressManifest.Read(Write(Head + "\"wakeWord\":{\"label\":\"marvin\",\"index\":0,\"faPerHour\":0.5,\"threshold\":0.75}}")));
        var notProbability = Assert.Throws<FormatException>(() => CompressManifest.Read(Write(Head + "\"wakeWord\":{\"label\":\"marvin\",\"index\":1,\"faPerHour\":0.5,\"threshold\":1.5}}")));

        Assert.Equal(("marvin", 1, 0.5, 0.75), (m.WakeWord!.Label, m.WakeWord.Index, m.WakeWord.FaPerHour, m.WakeWord.Threshold));
        Assert.Contains("index 0 is not the label 'marvin'", wrongIndex.Message, StringComparison.Ordinal);
        Assert.Contains("threshold is not a probability", notProbability.Message, StringComparison.Ordinal);
        Assert.Null(CompressManifest.Read(Write(Head.TrimEnd(',') + "}")).WakeWord);
    }

    [Fact]
    public void Manifest_ReadsTheSessionConfigInKeyOrder_AndRejectsOneThatIsNotStrings()
    {
        const string Head = """{"schemaVersion":1,"toolVersion":"0.1.0","output":"K.onnx","compression":"gzip","labels":["yes"],"sampleRate":16000,"inputName":"pcm","inputShape":[-1,16000],"outputName":"p","inputs":[],"sha256":"00",""";

        var m = CompressManifest.Read(Write(Head + "\"sessionConfig\":{\"session.z\":\"0\",\"session.disable_quant_qdq\":\"1\"}}"));
        var notObject = Assert.Throws<FormatException>(() => CompressManifest.Read(Write(Head + "\"sessionConfig\":[\"session.disable_quant_qdq\"]}")));
        var notString = Assert.Throws<FormatException>(() => CompressManifest.Read(Write(Head + "\"sessionConfig\":{\"session.disable_quant_qdq\":1}}")));

        Assert.Equal(new[] { ("session.disable_quant_qdq", "1"), ("session.z", "0") }, m.SessionConfig.Select(e => (e.Key, e.Value)));
        Assert.Equal("has a sessionConfig that is not an object", notObject.Message);
        Assert.Equal("has a sessionConfig entry 'session.disable_quant_qdq' whose value is not a string", notString.Message);
        Assert.Empty(CompressManifest.Read(Write(Head.TrimEnd(',') + "}")).SessionConfig);
    }

    [Theory]
    [InlineData("""{"schemaVersion":2}""", "schemaVersion 2")]
    [InlineData("""{"schemaVersion":1,"compression":"zip"}""", "compression 'zip'")]
    [InlineData("""{"schemaVersion":1,"compression":"gzip","filter":"xor"}""", "filter 'xor'")]
    [InlineData("""{"schemaVersion":1,"compression":"none","filter":"shuffle"}""", "filter 'shuffle' (expected none, or shuffle under gzip or brotli)")]
    [InlineData("""{"schemaVersion":1,"compression":"none","sampleRate":0}""", "sampleRate")]
    [InlineData("""{"schemaVersion":1,"compression":"none","sampleRate":16000,"toolVersion":"1"}""", "'labels'")]
    public void Manifest_RejectsWhatTheContractForbids_NamingTheField(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CompressManifest.Read(Write(json)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
