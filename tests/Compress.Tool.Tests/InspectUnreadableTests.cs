using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Tool.Tests;

/// <summary>
/// <c>inspect</c> on files that are not ONNX models: a CMP2002 diagnostic and exit 1, never a decoder's exception
/// (random bytes used to reach BrotliStream, which throws InvalidOperationException).
/// </summary>
public sealed class InspectUnreadableTests
{
    public static TheoryData<string> Cases => ["random", "text", "truncated", "graph-only", "bad-gzip", "bad-container"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inspect_NotAModel_ExitsOneWithCmp2002AndNoStackTrace(string kind)
    {
        using var ws = new TestWorkspace();
        ws.WriteModel(raw: false);
        var model = File.ReadAllBytes(ws.ModelPath);
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        random[0] = 0x47; // not the gzip or CMPF magic, whatever the seed gives
        byte[] bytes = kind switch
        {
            "random" => random,
            "text" => "model: this is a compress.yaml, not a model\n"u8.ToArray(),
            "truncated" => model[..(model.Length / 2)],
            "graph-only" => ModelProto.Parser.ParseFrom(model).Graph.ToByteArray(),
            "bad-gzip" => [0x1f, 0x8b, .. random],
            "bad-container" => [.. "CMPF"u8, 1, 0x7f, .. random[..16]],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var path = Path.Combine(ws.Folder, "bad.onnx");
        File.WriteAllBytes(path, bytes);

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "inspect", path);

        Assert.Equal(1, exit);
        Assert.Contains("error CMP2002:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }
}
