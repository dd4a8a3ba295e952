using Compress.Text;

namespace Compress.Evaluation;

/// <summary>Whether a larger value of a metric is better (accuracy) or worse (false-reject rate).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}

/// <summary>
/// A metric the gate can check: its name (as written in the spec's <c>gate.metric</c>), which way is better, and how
/// to compute it from an ONNX Runtime measurement. The gate, the report and the progress text ask the metric; nothing
/// else maps names to numbers or guesses directions. Every value is a fraction in [0, 1], except that error rates
/// (<c>wer</c>, <c>cer</c>) exceed 1 when a hypothesis inserts more than the reference holds.
/// </summary>
public abstract class GateMetric
{
    private protected GateMetric(string name, MetricDirection direction)
    {
        Name = name;
        Direction = direction;
    }

    /// <summary>Top-1 accuracy on the measured split (higher is better).</summary>
    public static GateMetric Accuracy { get; } = new AccuracyMetric();

    /// <summary>Macro-averaged F1 (see <see cref="ClassificationMetrics"/>; higher is better).</summary>
    public static GateMetric MacroF1 { get; } = new MacroF1Metric();

    /// <summary>Word error rate of a CTC recogniser's greedy decoding (<see cref="TranscriptionMetrics.Wer"/>; lower is better).</summary>
    public static GateMetric Wer { get; } = new TranscriptionMetric("wer", t => t.Wer, u => u.Words);

    /// <summary>Character error rate of a CTC recogniser's greedy decoding (<see cref="TranscriptionMetrics.Cer"/>; lower is better).</summary>
    public static GateMetric Cer { get; } = new TranscriptionMetric("cer", t => t.Cer, u => u.Characters);

    /// <summary>The metric's name as written in the spec (e.g. <c>accuracy</c>).</summary>
    public string Name { get; }

    /// <summary>Which way is better.</summary>
    public MetricDirection Direction { get; }

    /// <summary>The wake-word false-reject rate at <paramref name="faPerHour"/> false accepts per hour (lower is better).</summary>
    /// <param name="faPerHour">False accepts per hour of non-keyword audio the threshold is chosen for (&gt; 0).</param>
    /// <param name="clipSeconds">Duration of one clip in seconds (the front end's), to turn negative clips into hours.</param>
    /// <param name="wakeWord">The label detected (<c>wake_word.label</c>), or null for the rule of <see cref="FalseRejectRateMetric.WakeWordIndex"/>.</param>
    public static FalseRejectRateMetric FrrAtFaPerHour(double faPerHour, double clipSeconds, string? wakeWord = null) => new(faPerHour, clipSeconds, wakeWord);

    /// <summary>The metric's value on <paramref name="measurement"/>.</summary>
    public abstract double Compute(OrtMeasurement measurement);

    /// <summary>
    /// <paramref name="candidate"/>'s value minus <paramref name="baseline"/>'s, item by item, with its 95% interval
    /// (<see cref="PairedDifference"/>); both must have measured the same split. Null for a metric that is not a sum
    /// over items (<c>macro_f1</c>, <c>frr_at_fa_per_hour</c>) or for measurements without per-item results.
    /// </summary>
    public virtual PairedDifference? Paired(OrtMeasurement baseline, OrtMeasurement candidate) => null;

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class AccuracyMetric() : GateMetric("accuracy", MetricDirection.HigherIsBetter)
    {
        public override double Compute(OrtMeasurement measurement)
        {
            ArgumentNullException.ThrowIfNull(measurement);
            return measurement.Metrics.Accuracy;
        }

        public override PairedDifference? Paired(OrtMeasurement baseline, OrtMeasurement candidate)
        {
            ArgumentNullException.ThrowIfNull(baseline);
            ArgumentNullException.ThrowIfNull(candidate);
            if (baseline.Predicted.Count == 0 || baseline.Predicted.Count != candidate.Predicted.Count || !baseline.Truth.SequenceEqual(candidate.Truth))
            {
                return null;
            }

            static double[] Correct(OrtMeasurement m) => [.. m.Predicted.Select((p, i) => p == m.Truth[i] ? 1.0 : 0.0)];
            return PairedDifference.Of(Correct(baseline), Correct(candidate), baseline.Predicted.Count, Direction);
        }
    }

    private sealed class TranscriptionMetric(string name, Func<TranscriptionMetrics, double> value, Func<UtteranceResult, EditCounts> of)
        : GateMetric(name, MetricDirection.LowerIsBetter)
    {
        public override PairedDifference? Paired(OrtMeasurement baseline, OrtMeasurement candidate)
        {
            ArgumentNullException.ThrowIfNull(baseline);
            ArgumentNullException.ThrowIfNull(candidate);
            if (baseline.Transcription is not { } b || candidate.Transcription is not { } c || b.Utterances.Count != c.Utterances.Count
                || !b.Utterances.Select(u => u.Reference).SequenceEqual(c.Utterances.Select(u => u.Reference), StringComparer.Ordinal))
            {
                return null;
            }

            var total = b.Utterances.Sum(u => (double)of(u).Reference);
            return total == 0 ? null : PairedDifference.Of([.. b.Utterances.Select(u => (double)of(u).Errors)], [.. c.Utterances.Select(u => (double)of(u).Errors)], total, Direction);
        }

        public override double Compute(OrtMeasurement measurement)
        {
            ArgumentNullException.ThrowIfNull(measurement);
            return measurement.Transcription is { } t
                ? value(t)
                : throw new InvalidOperationException($"{Name} needs a transcription measurement (task: ctc)");
        }
    }

    private sealed class MacroF1Metric() : GateMetric("macro_f1", MetricDirection.HigherIsBetter)
    {
        public override double Compute(OrtMeasurement measurement)
        {
            ArgumentNullException.ThrowIfNull(measurement);
            return measurement.Metrics.MacroF1;
        }
    }
}

/// <summary>
/// <c>frr_at_fa_per_hour</c>: the wake-word false-reject rate at the threshold that allows <see cref="FaPerHour"/>
/// false accepts per hour of negative audio (<see cref="WakeWordOperatingPoint"/>). The wake word is
/// <see cref="WakeWord"/> when it is one of the labels, else the first label
/// that does not start with <c>_</c> (the Speech Commands special classes <c>_unknown_</c> and <c>_silence_</c> do;
/// the first label when every label does): clips of that label are the positives, every other clip is a negative, and
/// a clip's score is its probability of the wake word. A model whose output is a single sigmoid score says which
/// class is positive (<see cref="OrtMeasurement.PositiveClass"/>: class 1, scored by the shipped probability), whatever
/// the labels are called. Negative audio lasts one clip of
/// <see cref="ClipSeconds"/> per negative clip.
/// </summary>
public sealed class FalseRejectRateMetric : GateMetric
{
    internal FalseRejectRateMetric(double faPerHour, double clipSeconds, string? wakeWord = null)
        : base("frr_at_fa_per_hour", MetricDirection.LowerIsBetter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(faPerHour);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clipSeconds);
        FaPerHour = faPerHour;
        ClipSeconds = clipSeconds;
        WakeWord = wakeWord;
    }

    /// <summary>The label detected (<c>wake_word.label</c>), or null for the default rule.</summary>
    public string? WakeWord { get; }

    /// <summary>False accepts per hour of negative audio the threshold is chosen for.</summary>
    public double FaPerHour { get; }

    /// <summary>Seconds of audio per clip.</summary>
    public double ClipSeconds { get; }

    /// <summary>The index of the wake word among <paramref name="labels"/> (see the class summary).</summary>
    public static int WakeWordIndex(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        for (var i = 0; i < labels.Count; i++)
        {
            if (!labels[i].StartsWith('_'))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>The class index of the wake word in <paramref name="measurement"/>: <see cref="WakeWord"/>'s, else the single sigmoid's positive class, else <see cref="WakeWordIndex"/>.</summary>
    public int PositiveIndex(OrtMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var labels = measurement.Metrics.Labels;
        var named = WakeWord is null ? -1 : labels.ToList().IndexOf(WakeWord);
        return named >= 0 ? named : measurement.PositiveClass ?? WakeWordIndex(labels);
    }

    /// <summary>The operating point on <paramref name="measurement"/>: false-reject rate, false accepts per hour, threshold.</summary>
    public WakeWordOperatingPoint OperatingPoint(OrtMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var positive = PositiveIndex(measurement);
        var positives = new List<float>();
        var negatives = new List<float>();
        for (var i = 0; i < measurement.Scores.Count; i++)
        {
            (measurement.Truth[i] == positive ? positives : negatives).Add(measurement.Scores[i][positive]);
        }

        var hours = negatives.Count * ClipSeconds / 3600.0;
        return WakeWordOperatingPoint.At(positives, negatives, hours, FaPerHour);
    }

    /// <inheritdoc />
    public override double Compute(OrtMeasurement measurement) => OperatingPoint(measurement).FalseRejectRate;
}
