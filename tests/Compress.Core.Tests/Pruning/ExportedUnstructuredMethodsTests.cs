using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Core.Tests.Training;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// Every unstructured method on PyTorch exports whose weights reach their nodes through constant sub-graphs
/// (<c>gru_kws_nofold_op17</c>: Slice/Concat/Unsqueeze of the GRU's W and R; <c>attention_kws_op17</c>: Transpose of
/// each nn.Linear weight): after folding, one short epoch of <see cref="CompressionEngine"/> reaches the target on
/// every folded weight, the export carries the zeros and the provenance, and ONNX Runtime runs it at parity with the executor.
/// </summary>
public sealed class ExportedUnstructuredMethodsTests
{
    private static readonly FineTuneOptions OneEpoch = new(Epochs: 1, BatchSize: 16, LearningRate: 1e-3);

    /// <summary>Random features of the fixture's item shape with random labels of its classes: enough to train one epoch, not to learn.</summary>
    private static ArrayTrainingData Noise(ExportedFixture fixture, int count, int seed)
    {
        var item = fixture.Inputs[0].RecordedShape.Skip(1).ToArray();
        var size = (int)item.Aggregate(1L, (a, d) => a * d);
        var random = new Random(seed);
        return new ArrayTrainingData(TinyModels.Uniform(random, count * size, 2), item, [.. Enumerable.Range(0, count).Select(_ => random.Next(fixture.Classes))]);
    }

    public static TheoryData<string, PruningMethod, bool> Cases() => new()
    {
        { "gru_kws_nofold_op17", PruningMethod.Magnitude, false },
        { "gru_kws_nofold_op17", PruningMethod.Gradient, false },
        { "gru_kws_nofold_op17", PruningMethod.L1, false },
        { "gru_kws_nofold_op17", PruningMethod.L2, false },
        { "gru_kws_nofold_op17", PruningMethod.NM, false },
        { "attention_kws_op17", PruningMethod.Magnitude, false },
        { "attention_kws_op17", PruningMethod.Gradient, false },
        { "attention_kws_op17", PruningMethod.L1, false },
        { "attention_kws_op17", PruningMethod.L2, false },
        { "attention_kws_op17", PruningMethod.NM, false },
        { "gru_kws_nofold_op17", PruningMethod.Gradient, true },
        { "gru_kws_nofold_op17", PruningMethod.NM, true },
        { "attention_kws_op17", PruningMethod.Magnitude, true },
    };

    /// <summary>The PyTorch weights each fixture's eligible tensors are folded from (the classifier, the last and small, is protected).</summary>
    private static readonly Dictionary<string, string[]> EligibleSources = new(StringComparer.Ordinal)
    {
        ["gru_kws_nofold_op17"] = ["gru.weight_ih_l0", "gru.weight_hh_l0"],
        ["attention_kws_op17"] = ["embed.weight", "q.weight", "k.weight", "v.weight", "out.weight"],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Method_OnFoldedExport_ReachesTheTargetOnEveryFoldedWeight_AndTheExportRunsInOnnxRuntime(string name, PruningMethod method, bool reconstruct)
    {
        var fixture = ExportedFixtures.Get(name);
        var model = PrunableWeights.Prepare(OnnxModelIO.Load(fixture.Path));
        const double target = 0.5; // n:m 2:4 is 50% by construction
        var options = new PruningOptions(method, target, GradientBatches: 2, RegularizationEpochs: 1, Schedule: new ScheduleOptions(ScheduleKind.OneShot), Reconstruct: reconstruct);
        var result = new CompressionEngine().Run(model, Noise(fixture, 32, 1), Noise(fixture, 16, 2), options, OneEpoch);

        // The eligible layers are exactly the folded weights of those PyTorch parameters, each pruned to the target.
        var provenance = ConstantFolding.Provenance(result.Model);
        Assert.Equal(EligibleSources[name], result.Layers.Select(l => Assert.Single(provenance[l.Name])));
        foreach (var layer in result.Layers)
        {
            var values = TinyModels.Values(result.Model, layer.Name);
            Assert.Equal(layer.Elements, values.Length);
            Assert.Equal(layer.Zeros, values.LongCount(v => v == 0));
            Assert.InRange(layer.Zeros, (long)Math.Floor(target * layer.Elements), (long)Math.Ceiling(target * layer.Elements));
        }

        Assert.Equal(target, result.TotalSparsity, 3);
        Assert.Equal(1, result.EpochsRun);

        // The written-back export runs in ONNX Runtime, at parity with the executor, on PyTorch's recorded input.
        var inputs = fixture.RecordedInputs();
        var ort = OrtRunner.Run(OnnxModelIO.Load(OnnxModelIO.Save(result.Model)), inputs);
        Assert.All(ort.Values, o => Assert.All((float[])o.Data, v => Assert.True(float.IsFinite(v))));
        ParityAssert.Equal(ort, ExecutorRunner.Run(result.Model, inputs), Tolerance.Parity);
    }
}
