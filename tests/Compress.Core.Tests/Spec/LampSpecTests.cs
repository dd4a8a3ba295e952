using Compress.Pipeline;
using Compress.Pruning;
using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary><c>pruning.allocation: lamp</c>: reaches the engine for the unstructured methods; where it cannot act it is CMP1008 at its line.</summary>
public sealed class LampSpecTests
{
    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no]
        pruning:
          target_sparsity: 0.5

        """;

    [Theory]
    [InlineData("magnitude")]
    [InlineData("gradient")]
    [InlineData("l1")]
    public void Lamp_WithAnUnstructuredMethod_ReachesTheEngine(string method)
    {
        var spec = SpecAssert.Parses(Minimal.Replace("pruning:\n", $"pruning:\n  method: {method}\n  allocation: lamp\n", StringComparison.Ordinal), "compress.yaml");

        Assert.Equal(SparsityAllocation.Lamp, SpecMapping.Pruning(spec.Pruning).Allocation);
    }

    [Theory]
    [InlineData("channel", "allocation: lamp", 7, "'pruning.allocation' has no effect with pruning.method channel (lamp ranks single weights across layers; n:m and channel prune every layer alike)")]
    [InlineData("magnitude", "allocation: lamp\n  scope: global", 8, "'pruning.scope' has no effect with pruning.allocation lamp, which ranks every layer's weights together")]
    public void Lamp_WhereItCannotAct_IsCmp1008_AtItsLine(string method, string entries, int line, string message)
    {
        var result = SpecParser.ParseText(Minimal.Replace("pruning:\n", $"pruning:\n  method: {method}\n  {entries}\n", StringComparison.Ordinal), "compress.yaml");

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CMP1008", d.Code);
        Assert.Equal(line, d.Line);
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }
}
