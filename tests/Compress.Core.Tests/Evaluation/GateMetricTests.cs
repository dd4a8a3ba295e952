using Compress.Evaluation;
using Compress.Spec;
using SpecGateMetric = Compress.Spec.GateMetricKind;

namespace Compress.Core.Tests.Evaluation;

public sealed class GateMetricTests
{
    [Fact]
    public void EverySpecMetric_MapsToTheMetricOfItsSpecName()
    {
        foreach (var metric in Enum.GetValues<SpecGateMetric>())
        {
            Assert.Equal(SpecNames.Of(metric), GateSpec.ToMetric(metric, faPerHour: 1, clipSeconds: 1).Name);
        }
    }

    [Fact]
    public void Directions_AccuracyAndMacroF1AreHigherIsBetter_FrrIsLowerIsBetter()
    {
        Assert.Equal(MetricDirection.HigherIsBetter, Compress.Evaluation.GateMetric.Accuracy.Direction);
        Assert.Equal(MetricDirection.HigherIsBetter, Compress.Evaluation.GateMetric.MacroF1.Direction);
        Assert.Equal(MetricDirection.LowerIsBetter, Compress.Evaluation.GateMetric.FrrAtFaPerHour(1, 1).Direction);
    }

    [Fact]
    public void AccuracyAndMacroF1_AreReadFromTheMeasurement()
    {
        var m = Measure(["a", "b"], truth: [0, 1, 1], scores: [[0.9f, 0.1f], [0.8f, 0.2f], [0.1f, 0.9f]]);

        Assert.Equal(m.Metrics.Accuracy, Compress.Evaluation.GateMetric.Accuracy.Compute(m));
        Assert.Equal(m.Metrics.MacroF1, Compress.Evaluation.GateMetric.MacroF1.Compute(m));
    }

    [Fact]
    public void Frr_TheWakeWordIsTheFirstLabelWithoutUnderscore_AndNegativesAreEveryOtherClip()
    {
        // Labels: _silence_, _unknown_, hey, stop. The wake word is "hey" (index 2); "stop" clips count as negatives.
        // One clip of 3600 s per negative: two hours of negatives, so 0.5 FA/hour allows one false accept.
        var m = Measure(
            ["_silence_", "_unknown_", "hey", "stop"],
            truth: [2, 2, 0, 3],
            scores: [[0, 0, 0.9f, 0.1f], [0, 0, 0.3f, 0.7f], [0.5f, 0, 0.5f, 0], [0, 0, 0.8f, 0.2f]]);
        var metric = Compress.Evaluation.GateMetric.FrrAtFaPerHour(faPerHour: 0.5, clipSeconds: 3600);

        Assert.Equal(2, FalseRejectRateMetric.WakeWordIndex(m.Metrics.Labels));
        var expected = WakeWordOperatingPoint.At([0.9f, 0.3f], [0.5f, 0.8f], negativeHours: 2, targetFaPerHour: 0.5);
        Assert.Equal(expected.FalseRejectRate, metric.Compute(m));
        Assert.Equal(0.5, metric.Compute(m)); // one negative may pass: the threshold sits above 0.5, so 0.3 is rejected
    }

    [Fact]
    public void WakeWordIndex_EveryLabelSpecial_IsTheFirst()
    {
        Assert.Equal(0, FalseRejectRateMetric.WakeWordIndex(["_a_", "_b_"]));
    }

    private static OrtMeasurement Measure(string[] labels, int[] truth, float[][] scores)
    {
        var predicted = scores.Select(s => Array.IndexOf(s, s.Max())).ToArray();
        return new OrtMeasurement(ClassificationMetrics.Compute(truth, predicted, labels), scores, truth, 0);
    }
}
