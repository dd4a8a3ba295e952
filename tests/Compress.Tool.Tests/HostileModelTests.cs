using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Tool.Tests;

/// <summary>
/// <c>validate</c>, <c>inspect</c> and <c>run</c> on malformed models (issue 18's seven files): each is exit 1 with the
/// loader's code naming the node or tensor, <c>run</c> writes nothing, and <c>validate</c> never says "Everything needed to run is in
/// place". The model is the workspace's MatMul classifier (audio → MatMul(w) → logits), broken one way per case.
/// </summary>
public sealed class HostileModelTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "cycle", "CMP2103", "the graph has a cycle: nodes 'MatMul_0', 'Relu' wait on each other" },
        { "dangling-input", "CMP2103", "[MatMul_0] input 'nowhere' is not produced by any node, graph input or initializer" },
        { "missing-initializer", "CMP2103", "[MatMul_0] input 'w' is not produced by any node, graph input or initializer" },
        { "external-escapes", "CMP2006", "../../etc/passwd" },
        { "external-missing", "CMP2006", "weights.bin" },
        { "raw-size", "CMP2005", "'w'" },
        { "future-opset", "CMP2004", "11-21" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_RejectsWhatRunWouldReject(string kind, string code, string detail)
    {
        using var ws = TestWorkspace.WithSpec();
        Break(ws.ModelPath, kind);

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Contains($"error {code}:", error, StringComparison.Ordinal);
        Assert.True(error.Contains(detail, StringComparison.Ordinal), error);
        Assert.Contains("model.onnx", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Everything needed to run is in place", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inspect_ExitsOneWithTheSameCode(string kind, string code, string detail)
    {
        using var ws = TestWorkspace.WithSpec();
        Break(ws.ModelPath, kind);

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "inspect", ws.ModelPath);

        Assert.Equal(1, exit);
        Assert.Contains($"error {code}:", error, StringComparison.Ordinal);
        Assert.True(error.Contains(detail, StringComparison.Ordinal), error);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_StopsWithTheSameCode_BeforeTrainingAndWritesNothing(string kind, string code, string detail)
    {
        using var ws = TestWorkspace.WithSpec();
        Break(ws.ModelPath, kind);
        var output = Path.Combine(ws.Folder, "out.onnx");

        var (exit, _, error) = CliHarness.Run(CliHarness.With(new Compress.Pipeline.CompressPipeline("test")), "run", ws.SpecPath, "--output", output, "-v", "minimal");

        Assert.Equal(1, exit);
        Assert.Contains($"error {code}:", error, StringComparison.Ordinal);
        Assert.True(error.Contains(detail, StringComparison.Ordinal), error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Validate_TheUnbrokenModel_Passes()
    {
        using var ws = TestWorkspace.WithSpec();

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.True(exit == 0, error);
        Assert.Contains("Everything needed to run is in place", output, StringComparison.Ordinal);
    }

    private static void Break(string path, string kind)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var graph = model.Graph;
        var matmul = graph.Node.Single(n => n.OpType == "MatMul");
        var w = graph.Initializer.Single(t => t.Name == "w");
        switch (kind)
        {
            case "cycle":
                // MatMul reads Relu's output and Relu reads MatMul's.
                matmul.Input[0] = "looped";
                graph.Node.Add(new NodeProto { Name = "Relu", OpType = "Relu", Input = { matmul.Output[0] }, Output = { "looped" } });
                break;
            case "dangling-input":
                matmul.Input[0] = "nowhere";
                break;
            case "missing-initializer":
                graph.Initializer.Remove(w);
                break;
            case "external-escapes":
            case "external-missing":
                w.RawData = ByteString.Empty;
                w.FloatData.Clear();
                w.DataLocation = TensorProto.Types.DataLocation.External;
                w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = kind == "external-escapes" ? "../../etc/passwd" : "weights.bin" });
                break;
            case "raw-size":
                var bytes = w.RawData.Length > 0 ? w.RawData.ToByteArray() : w.FloatData.SelectMany(BitConverter.GetBytes).ToArray();
                w.FloatData.Clear();
                w.RawData = ByteString.CopyFrom(bytes, 0, bytes.Length - 4);
                break;
            case "future-opset":
                model.OpsetImport.Single(o => o.Domain.Length == 0).Version = 99;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        File.WriteAllBytes(path, model.ToByteArray());
    }
}
