namespace Compress.Evaluation;

/// <summary>What ONNX Runtime measured on one split: the classification metrics and every sample's scores.</summary>
/// <param name="Scores">Softmax probabilities per sample, in split order.</param>
/// <param name="Truth">The true class index per sample, in split order.</param>
/// <param name="MedianLatencyMs">Median wall time of one batch divided by its size, in milliseconds per clip.</param>
public sealed record OrtMeasurement(ClassificationMetrics Metrics, IReadOnlyList<float[]> Scores, IReadOnlyList<int> Truth, double MedianLatencyMs);
