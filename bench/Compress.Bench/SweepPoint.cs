namespace Compress.Bench;

/// <summary>
/// One training run of the accuracy sweep: a pruning method at a target sparsity (method <c>none</c> = the dense
/// reference fine-tuned with the same budget), the spec overrides that select it, and the model it starts from.
/// </summary>
public sealed record SweepPoint(string Name, string Method, double Target, IReadOnlyList<string> Overrides, string? Model = null);

/// <summary>
/// What one run measured (read back from its report.json): ONNX Runtime accuracy of the input and exported models
/// on the test split, exact sparsity of the prunable weights, sizes in bytes, training seconds and peak RSS.
/// </summary>
public sealed record SweepResult(
    SweepPoint Point,
    int Seed,
    double BaselineAccuracy,
    double Accuracy,
    double MacroF1,
    double Sparsity,
    long DenseBytes,
    long ExportedBytes,
    long EmbeddedBytes,
    double TrainSeconds,
    double WallSeconds,
    long PeakRssBytes,
    long NonZeroWeights,
    string ModelPath);
