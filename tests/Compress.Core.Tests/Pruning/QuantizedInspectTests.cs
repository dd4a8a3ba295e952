using Compress.Core.Tests.Export;
using Compress.Export;
using Compress.Pruning;

namespace Compress.Core.Tests.Pruning;

/// <summary><c>inspect</c> on a file with int8 weights: each weight behind a DequantizeLinear is listed with its sparsity.</summary>
public sealed class QuantizedInspectTests
{
    public QuantizedInspectTests() => Compress.Runtime.TorchRuntime.Initialize();

    [Fact]
    public void Describe_SparseInt8_ListsEachWeightAsStored_WithItsSparsityAndScheme()
    {
        var model = SparseInitializers.Apply(QuantizedExportTests.Quantize(QuantizedExportTests.PrunedConvNet()).Model, StorageMode.Sparse);

        var lines = ModelInspector.Describe(model, "q.onnx").Split('\n');

        Assert.Contains("  conv.weight  Conv Conv_0 input 1  int8 [8, 1, 3, 3]  72 elements  sparsity 0.708  quantized: DequantizeLinear per channel (axis 0, 8 scales) from 'conv.weight_quantized'", lines);
        Assert.Contains("  head.weight  MatMul MatMul_5 input 1  int8 [32, 10]  320 elements  sparsity 0.684  quantized: DequantizeLinear per channel (axis 1, 10 scales) from 'head.weight_quantized'", lines);
        Assert.Contains("Parameters: 90 in 5 float initializers (290 B)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("computed at run time", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_DenseInt8_FoldsEachDequantizeLinear_SoTheWeightIsListedPrunableWithItsSparsity()
    {
        // Constant folding (what run trains on) evaluates a DequantizeLinear of dense initializers into the float weight.
        var model = QuantizedExportTests.Quantize(QuantizedExportTests.PrunedConvNet()).Model;

        var lines = ModelInspector.Describe(model, "q.onnx").Split('\n');

        Assert.Contains("Constant folding: 3 nodes folded into initializers, 9 initializers no longer read (run trains and exports the folded model)", lines);
        Assert.Contains(lines, l => l.StartsWith("  fc.weight (", StringComparison.Ordinal) && l.Contains("[32, 512]  16,384 elements  sparsity 0.699", StringComparison.Ordinal));
        Assert.Contains("Other initializers: 16,826 elements in 6 (16.4 KiB)", lines);
    }

    [Fact]
    public void Describe_Int8Activations_ListsEachQuantizedValueWithItsScaleZeroPointAndRange()
    {
        var weights = QuantizedExportTests.Quantize(QuantizedExportTests.PrunedConvNet());
        var sites = Int8ActivationQuantizer.Sites(weights.Model, weights.Quantized);
        var ranges = sites.ToDictionary(s => s.Tensor, _ => new ActivationRange(-1f, 3f));
        var model = Int8ActivationQuantizer.Apply(weights.Model, sites, ranges).Model;
        var (scale, zero) = Int8ActivationQuantizer.ScaleAndZeroPoint(new ActivationRange(-1f, 3f));

        var lines = ModelInspector.Describe(model, "q.onnx").Split('\n');

        var header = Array.IndexOf(lines, $"Quantized activations ({sites.Count}, QuantizeLinear -> DequantizeLinear):");
        Assert.True(header > 0 && sites.Count > 0, string.Join("\n", lines));
        var expected = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  uint8  scale {scale:G6}  zero point {zero}  range [{(0 - zero) * scale:G6}, {(255 - zero) * scale:G6}]");
        Assert.All(lines.Skip(header + 1).Take(sites.Count), l => Assert.EndsWith(expected, l, StringComparison.Ordinal));
        // The values as the file quantizes them: a Relu folded into its site is quantized at the operator's output.
        var quantized = model.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => n.Input[0]).Order(StringComparer.Ordinal);
        Assert.Equal(quantized, lines.Skip(header + 1).Take(sites.Count).Select(l => l.Trim().Split("  ")[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Describe_FloatActivations_PrintsNoActivationSection() =>
        Assert.DoesNotContain("Quantized activations", ModelInspector.Describe(QuantizedExportTests.Quantize(QuantizedExportTests.PrunedConvNet()).Model, "q.onnx"), StringComparison.Ordinal);
}
