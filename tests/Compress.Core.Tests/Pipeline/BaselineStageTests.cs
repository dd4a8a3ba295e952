using Compress.Architectures;
using Compress.Onnx;
using Compress.Pipeline;

namespace Compress.Core.Tests.Pipeline;

[Collection(Training.TorchThreadsCollection.Name)]
public sealed class BaselineStageTests : IDisposable
{
    private readonly ToneCorpus _corpus = new(speakers: 4, clipsPerSpeaker: 1);

    [Fact]
    public void Baseline_PassesTheInputModelCheck_AndItsValueIsTheGateMetricOfItsMeasurement()
    {
        OnnxModelIO.Save(new DsCnn(3, Channels: 8, Blocks: 1, Seed: 3).Build(), Path.Combine(_corpus.Root, "random.onnx"));
        var spec = StageSpecs.Write(_corpus, """
            model:
              path: random.onnx
            gate:
              metric: macro_f1
              min: 0
            """);
        var context = StageSpecs.Context();
        var run = PlanStage.Run(StageSpecs.Request(spec), context).Value!;
        using var data = DataStage.Run(run.Plan, context).Value!;

        var result = BaselineStage.Run(run, data, context);

        Assert.Empty(result.Diagnostics);
        var baseline = result.Value!;
        Assert.Equal(run.Plan.Gate.Metric.Compute(baseline.Measurement), baseline.Value);
        Assert.Equal(baseline.Measurement.Metrics.MacroF1, baseline.Value);
        Assert.Equal(data.Test.Count, baseline.Measurement.Metrics.Count);
        Assert.Equal(OnnxModelIO.Save(run.Plan.Ship(run.Model)).Length, baseline.DenseBytes);
        Assert.Equal("baseline", context.Timings[^1].Stage);
    }

    public void Dispose() => _corpus.Dispose();
}
