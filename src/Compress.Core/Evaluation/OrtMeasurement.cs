namespace Compress.Evaluation;

/// <summary>What ONNX Runtime measured on one split: the classification metrics and every sample's scores.</summary>
/// <param name="Scores">Class probabilities per sample, in split order (softmax of logits; a sigmoid score p as [1 − p, p]).</param>
/// <param name="Truth">The true class index per sample, in split order.</param>
/// <param name="MedianLatencyMs">Median wall time of one batch divided by its size, in milliseconds per clip.</param>
public sealed record OrtMeasurement(ClassificationMetrics Metrics, IReadOnlyList<float[]> Scores, IReadOnlyList<int> Truth, double MedianLatencyMs)
{
    /// <summary>
    /// The class whose score is the wake-word score, when the model says so (a single sigmoid score: class 1, the
    /// positive class); null lets <see cref="FalseRejectRateMetric"/> pick it from the labels.
    /// </summary>
    public int? PositiveClass { get; init; }

    /// <summary>
    /// For a CTC recogniser (<c>task: ctc</c>): word and character errors of the greedy decoding against the
    /// transcripts. Then <see cref="Metrics"/> classifies each utterance by its whole transcript (accuracy = share
    /// decoded exactly) and <see cref="Scores"/> is empty. Null for classifiers.
    /// </summary>
    public TranscriptionMetrics? Transcription { get; init; }

    /// <summary>
    /// The class predicted for each sample, in split order (for a CTC recogniser, the transcript decoded, or the
    /// index after the last transcript when it is none of them); <see cref="ClassificationMetrics.Accuracy"/> is the
    /// share equal to <see cref="Truth"/>. Empty when the measurement was built without them.
    /// </summary>
    public IReadOnlyList<int> Predicted { get; init; } = [];
}
