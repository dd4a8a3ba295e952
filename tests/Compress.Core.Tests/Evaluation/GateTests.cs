using Compress.Diagnostics;
using Compress.Evaluation;

namespace Compress.Core.Tests.Evaluation;

public sealed class GateTests
{
    private static readonly GateLocation At = new("compress.yaml", 12, 1);

    [Fact]
    public void BelowMin_FailsWithTheCanonicalMessageAtTheGateLine()
    {
        var outcome = new Gate(GateMetric.Accuracy, Min: 0.9).Evaluate(0.871, 0.934, 0.8, At);

        Assert.False(outcome.Passed);
        var failure = Assert.Single(outcome.Failures);
        Assert.Equal("compress.yaml(12,1): error CMP5001: accuracy 0.871 is below min 0.900 (baseline 0.934, sparsity 0.80)", failure.ToString());
    }

    [Fact]
    public void MaxDrop_FailsWhenTheDropExceedsIt()
    {
        var outcome = new Gate(GateMetric.Accuracy, MaxDrop: 0.01).Evaluate(0.92, 0.934, 0.8, At);
        Assert.Equal(
            "compress.yaml(12,1): error CMP5002: accuracy 0.920 is 0.014 worse than baseline 0.934, more than max_drop 0.010 (sparsity 0.80)",
            Assert.Single(outcome.Failures).ToString());
    }

    [Fact]
    public void MaxRelativeDrop_FailsWhenTheRelativeDropExceedsIt()
    {
        var outcome = new Gate(GateMetric.MacroF1, MaxRelativeDrop: 0.02).Evaluate(0.9, 0.95, 0.5, At);
        Assert.Equal(
            "compress.yaml(12,1): error CMP5003: macro_f1 0.900 is 5.3% worse than baseline 0.950, more than max_relative_drop 2.0% (sparsity 0.50)",
            Assert.Single(outcome.Failures).ToString());
    }

    [Fact]
    public void LowerIsBetterMetric_UsesMaxAndCountsIncreasesAsDrops()
    {
        var gate = new Gate(GateMetric.FrrAtFaPerHour(faPerHour: 1, clipSeconds: 1), Max: 0.05, MaxDrop: 0.01);
        var outcome = gate.Evaluate(0.07, 0.04, 0.8, At);
        Assert.Equal([GateMessages.AboveMaxCode, GateMessages.DropTooLargeCode], outcome.Failures.Select(f => f.Code));
        Assert.Equal(0.03, outcome.Drop, 12);
    }

    [Fact]
    public void WerIncrease_IsNamedAsTheSpecWritesIt()
    {
        var outcome = new Gate(GateMetric.Wer, MaxDrop: 0.02).Evaluate(0.555, 0.5, 0.7, At);

        Assert.Equal(
            "compress.yaml(12,1): error CMP5002: wer 0.555 is 0.055 worse than baseline 0.500, more than max_increase 0.020 (sparsity 0.70)",
            Assert.Single(outcome.Failures).ToString());
    }

    [Fact]
    public void EveryThresholdHolding_Passes()
    {
        var outcome = new Gate(GateMetric.Accuracy, Min: 0.9, MaxDrop: 0.01, MaxRelativeDrop: 0.02).Evaluate(0.93, 0.934, 0.8, At);
        Assert.True(outcome.Passed);
        Assert.Empty(outcome.Failures);
    }

    [Fact]
    public void ExactlyAtTheThreshold_Passes()
    {
        Assert.True(new Gate(GateMetric.Accuracy, Min: 0.9, MaxDrop: 0.01).Evaluate(0.9, 0.91, 0.8, At).Passed);
    }
}
