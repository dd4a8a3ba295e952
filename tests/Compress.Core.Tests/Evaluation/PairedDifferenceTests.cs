using Compress.Evaluation;
using Compress.Reporting;

namespace Compress.Core.Tests.Evaluation;

/// <summary>The gate metric's compressed-minus-baseline difference on the same items, and its 95% interval.</summary>
public sealed class PairedDifferenceTests
{
    [Fact]
    public void Of_IsTheMeanPerItemDifference_WithTheSampleVarianceOfThePairs()
    {
        // Correct per clip: the candidate fixes clips 2 and 3 and breaks clip 1.
        var p = PairedDifference.Of([1, 1, 0, 0, 1], [1, 0, 1, 1, 1], 5, MetricDirection.HigherIsBetter);

        Assert.Equal((5, 2, 1), (p.Items, p.Better, p.Worse));
        Assert.Equal(0.2, p.Difference, 12);
        // d = [0, -1, 1, 1, 0]: s² = 2.8 / 4 = 0.7; SE = √(5 · 0.7) / 5.
        Assert.Equal(Math.Sqrt(3.5) / 5, p.StandardError, 12);
        Assert.Equal(0.2 - (1.959963984540054 * Math.Sqrt(3.5) / 5), p.Low, 12);
        Assert.Equal(0.2 + (1.959963984540054 * Math.Sqrt(3.5) / 5), p.High, 12);
    }

    [Fact]
    public void Of_LowerIsBetter_CountsFewerErrorsAsBetter()
    {
        // Word errors per utterance over 10 reference words.
        var p = PairedDifference.Of([0, 2, 1], [1, 0, 1], 10, MetricDirection.LowerIsBetter);

        Assert.Equal((1, 1), (p.Better, p.Worse));
        Assert.Equal(-0.1, p.Difference, 12);
    }

    [Fact]
    public void Of_TheSameResults_IsZeroWithAnEmptyInterval()
    {
        var p = PairedDifference.Of([1, 0, 1, 1], [1, 0, 1, 1], 4, MetricDirection.HigherIsBetter);

        Assert.Equal((0, 0, 0.0, 0.0, 0.0), (p.Better, p.Worse, p.Difference, p.Low, p.High));
    }

    [Fact]
    public void Of_DifferentItemCounts_Throws()
    {
        Assert.Throws<ArgumentException>(() => PairedDifference.Of([1, 0], [1], 2, MetricDirection.HigherIsBetter));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedDifference.Of([], [], 0, MetricDirection.HigherIsBetter));
    }

    [Fact]
    public void Interval_CoversTheTrueDifference_In95PercentOfSimulatedTestSplits()
    {
        // 2,000 test splits of 1,000 clips, the candidate fixing 4% of them and breaking 6% (true difference −0.02):
        // a 95% interval must contain −0.02 about 95% of the time (binomial spread over 2,000 splits: ±1 point).
        var random = new Random(20261207);
        var covered = 0;
        const int Splits = 2000, Clips = 1000;
        for (var s = 0; s < Splits; s++)
        {
            var baseline = new double[Clips];
            var candidate = new double[Clips];
            for (var i = 0; i < Clips; i++)
            {
                var u = random.NextDouble();
                (baseline[i], candidate[i]) = u < 0.04 ? (0, 1) : u < 0.10 ? (1, 0) : u < 0.95 ? (1, 1) : (0, 0);
            }

            var p = PairedDifference.Of(baseline, candidate, Clips, MetricDirection.HigherIsBetter);
            covered += p.Low <= -0.02 && -0.02 <= p.High ? 1 : 0;
        }

        Assert.InRange((double)covered / Splits, 0.935, 0.965);
    }

    [Fact]
    public void Accuracy_PairsThePredictionsOfTheSameClips()
    {
        string[] labels = ["a", "b"];
        int[] truth = [0, 1, 1, 0, 1];
        var baseline = Measured(labels, truth, [0, 1, 0, 0, 1]);
        var compressed = Measured(labels, truth, [0, 0, 1, 1, 1]);

        var p = GateMetric.Accuracy.Paired(baseline, compressed)!;

        Assert.Equal((5, 1, 2), (p.Items, p.Better, p.Worse));
        Assert.Equal(compressed.Metrics.Accuracy - baseline.Metrics.Accuracy, p.Difference, 12);
        Assert.Null(GateMetric.MacroF1.Paired(baseline, compressed));
        Assert.Null(GateMetric.Accuracy.Paired(baseline, Measured(labels, [0, 1, 1, 0, 0], [0, 1, 0, 0, 1])));
        Assert.Null(GateMetric.Accuracy.Paired(baseline, new OrtMeasurement(compressed.Metrics, [], truth, 0)));
    }

    [Fact]
    public void Wer_AndCer_PairTheEditCountsOfTheSameUtterances()
    {
        string[] references = ["turn on the lights", "stop"];
        var baseline = Transcribed(references, ["turn on the light", "stop"]);
        var compressed = Transcribed(references, ["turn on the lights", "top"]);

        var wer = GateMetric.Wer.Paired(baseline, compressed)!;
        var cer = GateMetric.Cer.Paired(baseline, compressed)!;

        Assert.Equal((2, 1, 1), (wer.Items, wer.Better, wer.Worse));
        Assert.Equal(GateMetric.Wer.Compute(compressed) - GateMetric.Wer.Compute(baseline), wer.Difference, 12);
        Assert.Equal(GateMetric.Cer.Compute(compressed) - GateMetric.Cer.Compute(baseline), cer.Difference, 12);
        Assert.Null(GateMetric.Wer.Paired(baseline, Transcribed(["stop", "turn on the lights"], ["stop", "turn on the lights"])));
    }

    [Fact]
    public void Report_RecordsThePairInJson_AndSaysWhatTheSplitResolves()
    {
        var p = PairedDifference.Of([1, 1, 0, 0, 1], [1, 0, 1, 1, 1], 5, MetricDirection.HigherIsBetter);
        var report = Reporting.ReportTests.Sample() with
        {
            Gate = new GateRecord("accuracy", 0.9, null, 0.01, null, 0.93, 0.934, true, []) { Paired = new PairedRecord(p.Items, p.Better, p.Worse, p.Difference, p.Low, p.High) },
        };

        Assert.Contains("\"paired\": {", ReportWriter.ToJson(report), StringComparison.Ordinal);
        Assert.Contains("Paired on the same 5 clips: compressed − baseline +0.2000 (95% interval -0.5334 to +0.9334; better on 2, worse on 1). A change of less than ±0.7334 is within what this test split can resolve.", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    private static OrtMeasurement Measured(string[] labels, int[] truth, int[] predicted) =>
        new(ClassificationMetrics.Compute(truth, predicted, labels), [], truth, 0) { Predicted = predicted };

    private static OrtMeasurement Transcribed(string[] references, string[] hypotheses)
    {
        var truth = Enumerable.Range(0, references.Length).ToArray();
        return new OrtMeasurement(ClassificationMetrics.Compute(truth, truth, references), [], truth, 0)
        {
            Transcription = TranscriptionMetrics.Compute(references, hypotheses),
        };
    }
}
