using System.Text.RegularExpressions;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Evaluation;
using Compress.Onnx;
using Compress.Pruning;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// The one prunable rule on models as PyTorch 1.13 exports them (tests/fixtures/exported): after
/// <see cref="PrunableWeights.Prepare"/> (constant folding), <see cref="PrunableWeights.Find"/> reaches every weight
/// PyTorch has for its Conv/Linear/GRU/LSTM/attention layers, leaves most of them eligible under the default options,
/// and folding changes no output.
/// </summary>
public sealed class ExportedPrunableWeightsTests
{
    /// <summary>PyTorch's weight names for the layers pruning must reach: <c>*.weight</c> of conv/linear (q/k/v/out too) and the recurrent <c>weight_ih_l*</c>/<c>weight_hh_l*</c>, reverse direction included.</summary>
    private static readonly Regex WeightName = new(@"(^|\.)(weight|weight_(ih|hh)_l\d+(_reverse)?)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The weights pruning must reach: PyTorch's parameters of rank ≥ 2 (normalisation scales and biases are rank 1).
    /// Every one of them has a weight name (checked), so the rank rule picks exactly the layers named above.
    /// </summary>
    internal static IReadOnlyList<FixtureParameter> ExpectedWeights(ExportedFixture fixture)
    {
        var weights = fixture.Parameters.Where(p => p.Shape.Length >= 2).ToList();
        Assert.All(weights, p => Assert.Matches(WeightName, p.Name));
        Assert.NotEmpty(weights);
        return weights;
    }

    private static IReadOnlyList<PrunableTensor> FindPrepared(ExportedFixture fixture) =>
        PrunableWeights.Find(PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path)), new PruningOptions());

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Find_AfterPrepare_ReachesEveryPyTorchWeightOfConvLinearRecurrentAndAttentionLayers(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var expected = ExpectedWeights(fixture);
        var pytorch = fixture.Parameters.Concat(fixture.Buffers).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var found = FindPrepared(fixture);

        // A weight the file stores under PyTorch's name is found under it, or (folded by us) named in Sources.
        var covered = found.SelectMany(t => t.Sources.Prepend(t.Name)).ToHashSet(StringComparer.Ordinal);
        var named = expected.Where(p => p.OnnxInitializer).ToList();
        Assert.All(named, p => Assert.True(covered.Contains(p.Name), $"{p.Name} is in the file but not prunable; found: {string.Join(", ", found.Select(t => t.DisplayName))}"));

        // A weight the exporter folded itself (BatchNorm fused into Conv, gates reordered into onnx::GRU_*, a transposed
        // Linear) has no PyTorch name left: it is found as a tensor of its shape (per direction, or transposed), and
        // those tensors hold exactly the elements of the folded parameters.
        var renamed = found.Where(t => !t.Sources.Prepend(t.Name).Any(pytorch.Contains)).ToList();
        var folded = expected.Where(p => !p.OnnxInitializer).ToList();
        Assert.Equal(folded.Sum(p => p.Elements), renamed.Sum(t => t.Elements));
        Assert.All(folded, p => Assert.Contains(renamed, t => HoldsShape(t.Shape, p.Shape)));

        // Nothing prunable reads a weight that is not a PyTorch weight (no bias or statistic counted as a weight).
        var fromPyTorch = found.Except(renamed).SelectMany(t => t.Sources.Prepend(t.Name)).Where(pytorch.Contains);
        Assert.All(fromPyTorch, n => Assert.Contains(expected, p => p.Name == n));
    }

    /// <summary>True when <paramref name="tensor"/> is <paramref name="parameter"/>'s shape, possibly after a leading direction axis, or the transpose of a matrix.</summary>
    private static bool HoldsShape(IReadOnlyList<long> tensor, long[] parameter)
    {
        var tail = tensor.Skip(tensor.Count - parameter.Length).ToArray();
        return tensor.Count >= parameter.Length && tensor.Take(tensor.Count - parameter.Length).All(d => d is 1 or 2)
            && (tail.SequenceEqual(parameter) || (parameter.Length == 2 && tail.SequenceEqual(parameter.Reverse())));
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Find_WithDefaultOptions_LeavesAtLeast80PercentOfThePrunableWeightsEligible(string name)
    {
        var found = FindPrepared(ExportedFixtures.Get(name));
        var share = (double)found.Where(t => t.Status == PrunableStatus.Eligible).Sum(t => t.Elements) / found.Sum(t => t.Elements);

        Assert.True(share >= 0.8, $"{share:P1} eligible: {string.Join("; ", found.Select(t => $"{t.DisplayName} {t.Status} {t.StatusReason}"))}");
        Assert.All(found.Where(t => t.Status == PrunableStatus.Protected), t => Assert.NotEmpty(t.StatusReason));
    }

    [Theory]
    [InlineData("gru_kws_op17", "GRU", 1)]
    [InlineData("gru_kws_nofold_op17", "GRU", 1)]
    [InlineData("gru_kws_op13_fixed", "GRU", 1)]
    [InlineData("gru_state_io_op15", "GRU", 1)]
    [InlineData("lstm_kws_op15", "LSTM", 2)]
    [InlineData("bilstm_kws_op13", "LSTM", 1)]
    public void Find_WithDefaultOptions_LeavesEveryRecurrentWAndREligible(string name, string opType, int layers)
    {
        var found = FindPrepared(ExportedFixtures.Get(name));
        var recurrent = found.Where(t => t.OpType == opType).ToList();

        Assert.Equal(2 * layers, recurrent.Count);
        Assert.All(recurrent, t => Assert.Equal(PrunableStatus.Eligible, t.Status));
        // The classifier (a few % of the weights) is what protect_first_last protects.
        Assert.Equal(PrunableStatus.Protected, found[^1].Status);
        Assert.Equal("Gemm", found[^1].OpType);
    }

    [Fact]
    public void Find_BiLstm_PrunesBothRecurrentTensors_InsteadOfProtectingEverything()
    {
        // One bidirectional layer + classifier: three tensors, the first (W, 44%) and the last (classifier, 3%).
        var found = FindPrepared(ExportedFixtures.Get("bilstm_kws_op13"));

        Assert.Equal([PrunableStatus.Eligible, PrunableStatus.Eligible, PrunableStatus.Protected], found.Select(t => t.Status));
        Assert.Equal([[2L, 192, 40], [2L, 192, 48], [12L, 96]], found.Select(t => t.Shape.ToArray()));
        Assert.Equal("the first prunable tensor, but 44.0% of the prunable weights (over the 20% protect_first_last protects), so pruned", found[0].StatusReason);
        Assert.True(PruningValidator.Validate(PrunableWeights.Prepare(OnnxModelIO.Load(ExportedFixtures.Get("bilstm_kws_op13").Path)), new PruningOptions(PruningMethod.Magnitude, 0.8)).All(d => !d.IsError));
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Prepare_KeepsTheOutputs_InOnnxRuntimeAndInTheExecutor_OnTheRecordedInput(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var original = OnnxModelIO.Load(fixture.Path);
        var prepared = PrunableWeights.Prepare(original);
        var inputs = fixture.RecordedInputs();

        var before = OrtRunner.Run(original, inputs);
        var after = OrtRunner.Run(prepared, inputs);
        ParityAssert.Equal(before, after, new Tolerance(1e-5, 0));
        ParityAssert.Equal(fixture.RecordedOutputs(), after, new Tolerance(1e-4));
        ExportedFixtureExpectations.Check(name, () => ParityAssert.Equal(after, ExecutorRunner.Run(prepared, inputs), Tolerance.Parity));
    }
}
