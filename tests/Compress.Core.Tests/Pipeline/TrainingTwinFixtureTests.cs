using Compress.Core.Tests.Onnx;
using Compress.Data;
using Compress.Export;
using Compress.Features;
using Compress.Graph;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Spec;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// The batched training copy of real PyTorch exports (tests/fixtures/exported): batch fixed at 1, time-last input,
/// an extra state input. For each: the copy runs batches at parity between the executor and ONNX Runtime, a
/// batch-1 file is proven equivalent clip by clip (CMP2130), and the restored export keeps the file's signature and
/// reproduces the copy (CMP2131).
/// </summary>
public sealed class TrainingTwinFixtureTests
{
    private static readonly FrontEndOptions LogMel = new FeaturesSpec().ToFrontEnd();

    [Theory]
    [InlineData("wakeword_head_b1", false, new long[] { 16, 96 }, null)]
    [InlineData("gru_kws_op13_fixed", false, new long[] { 1, 49, 40 }, null)]
    [InlineData("cnn_reshape_b1_op13", false, new long[] { 1, 49, 40 }, null)]
    [InlineData("tcn_timelast_op17", true, new long[] { 1, 49, 40 }, null)]
    [InlineData("gru_state_io_op15", true, new long[] { 1, 49, 40 }, "h0")]
    public void ExportedModel_TrainsAsABatchedCopy_AndTheExportKeepsItsSignature(string name, bool dynamicBatch, long[] itemShape, string? extra)
    {
        Compress.Runtime.TorchRuntime.Initialize();
        var fixture = ExportedFixtures.Get(name);
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path));
        var frontEnd = itemShape.Length == 2 ? LogMel with { Kind = FrontEndKind.None } : LogMel;
        var options = extra is null ? ModelInputOptions.Default : ModelInputOptions.Default with
        {
            Extras = new Dictionary<string, ExtraInputSpec> { [extra] = new(ExtraInputKind.Zeros, 0, null, null, new SpecLocation("s.yaml", 3, 9)) },
        };

        var twin = TrainingTwin.Build(model, options, frontEnd, fixture.Path);

        Assert.Equal(!dynamicBatch, twin.FixedBatch);
        Assert.Equal(name == "tcn_timelast_op17", twin.Permutation is not null);
        var items = new Items(5, itemShape);
        Assert.Equal([], BatchEquivalence.Prove(twin, items, fixture.Path));

        // The executor and ONNX Runtime agree on the copy at batch 5.
        var (batch, shape) = VerificationBatch.Of(items, twin.Working);
        Assert.Equal(5, shape[0]);
        var parity = BatchParity.Compare(twin.Working, OnnxModelIO.Save(twin.Working), batch, shape, fixture.Path);
        Assert.All(parity, p => Assert.True(p.Comparison.Passed, $"{p.Output}: {p.Comparison.Detail}"));

        // The export: the file's inputs (batch 1 where it was 1, own layout, h0 kept), reproducing the copy.
        var restored = twin.Restore(twin.Working, keepLayout: false, ExportBatch.Keep);
        Assert.Equal(
            model.Graph.Input.Select(i => (i.Name, LayoutOf(i))),
            restored.Graph.Input.Select(i => (i.Name, LayoutOf(i))));
        Assert.Equal(
            model.Graph.Output.Select(i => (i.Name, LayoutOf(i))),
            restored.Graph.Output.Select(i => (i.Name, LayoutOf(i))));
        Assert.Equal([], BatchEquivalence.CheckShipped(twin, twin.Working, OnnxModelIO.Save(twin.Working), OnnxModelIO.Save(restored), items, keepLayout: false, "out.onnx"));
    }

    private static string LayoutOf(Compress.Onnx.Proto.ValueInfoProto value) => InputLayout.Describe(value);

    /// <summary>Deterministic, distinct items of one shape.</summary>
    private sealed class Items(int count, long[] shape) : IFeatureSet
    {
        public int Count => count;

        public IReadOnlyList<long> ItemShape => shape;

        public int LabelOf(int index) => index % 2;

        public void ReadFeatures(int index, Span<float> destination)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = MathF.Sin((index * 7.1f) + (i * 0.37f));
            }
        }

        public void Dispose()
        {
        }
    }
}
