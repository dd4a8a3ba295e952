using Compress.Evaluation;

namespace Compress.Core.Tests.Evaluation;

public sealed class MetricsTests
{
    [Fact]
    public void ClassificationMetrics_MatchHandComputedValues()
    {
        // truth:     0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        var metrics = ClassificationMetrics.Compute([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c", "d"]);

        Assert.Equal(6, metrics.Count);
        Assert.Equal(4.0 / 6, metrics.Accuracy, 12);
        Assert.Equal([2, 1, 0, 0], metrics.Confusion[0]);
        Assert.Equal([0, 1, 1, 0], metrics.Confusion[1]);
        Assert.Equal([0, 0, 1, 0], metrics.Confusion[2]);
        // a: P=2/2 R=2/3 F1=0.8; b: P=1/2 R=1/2 F1=0.5; c: P=1/2 R=1 F1=2/3; d absent from truth and predictions.
        Assert.Equal(0.8, metrics.PerClass[0].F1, 12);
        Assert.Equal(0.5, metrics.PerClass[1].F1, 12);
        Assert.Equal(2.0 / 3, metrics.PerClass[2].F1, 12);
        Assert.Equal((0.8 + 0.5 + (2.0 / 3)) / 3, metrics.MacroF1, 12);
        Assert.Equal(0, metrics.PerClass[3].Support);
    }

    [Fact]
    public void WakeWord_ThresholdAdmitsAtMostTheAllowedFalseAccepts()
    {
        float[] positives = [0.9f, 0.8f, 0.7f, 0.4f];
        float[] negatives = [0.85f, 0.6f, 0.5f, 0.1f, 0.75f];

        // 2 hours of negatives at 0.5 FA/h allows 1 false accept: the threshold sits just above 0.75.
        var point = WakeWordOperatingPoint.At(positives, negatives, negativeHours: 2, targetFaPerHour: 0.5);

        Assert.Equal(1, point.FalseAccepts);
        Assert.Equal(0.5, point.FalseAcceptsPerHour, 12);
        Assert.True(point.Threshold > 0.75f && point.Threshold < 0.7500001f);
        Assert.Equal(2, point.FalseRejects);
        Assert.Equal(0.5, point.FalseRejectRate, 12);
    }

    [Fact]
    public void WakeWord_ZeroFalseAcceptsAllowed_RejectsTheHighestNegative()
    {
        var point = WakeWordOperatingPoint.At([0.9f, 0.95f], [0.9f, 0.2f], negativeHours: 1, targetFaPerHour: 0);
        Assert.Equal(0, point.FalseAccepts);
        Assert.Equal(1, point.FalseRejects); // the positive tied with the best negative is rejected
    }
}
