namespace Compress.Reporting;

/// <summary>
/// Everything one run measured, as written to <c>report.json</c> (schema documented in docs/report.md; the
/// <see cref="SchemaVersion"/> changes whenever a field changes meaning or is removed).
/// </summary>
public sealed record CompressionReport
{
    /// <summary>The version of this schema.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Schema version of this report.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The tool version that wrote it.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>Input files and their SHA-256 hashes (spec, model, data manifest...).</summary>
    public IReadOnlyList<InputRecord> Inputs { get; init; } = [];

    /// <summary>Wall-clock seconds per stage, in order.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];

    /// <summary>Pruning method as written in the spec.</summary>
    public string Method { get; init; } = "none";

    /// <summary>Whether every pruning step was followed by a least-squares re-solve of each layer's kept weights (<c>pruning.reconstruct</c>).</summary>
    public bool Reconstruct { get; init; }

    /// <summary>How many BatchNormalizations <c>finetune.insert_batchnorm</c> trained after a Conv and folded back into it (0 without it).</summary>
    public int InsertedBatchNorms { get; init; }

    /// <summary>Where training ran: <c>cpu</c> or <c>cuda</c> (the spec's <c>device</c> resolved; <c>auto</c> picks CUDA when TorchSharp has it).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// libtorch's oneDNN during fine-tuning (<c>COMPRESS_ONEDNN</c>): the setting, whether it computed the fine-tuning, why,
    /// and under <c>auto</c> the convolution shapes checked against float64; null in reports written before it existed.
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyName("onednn")]
    public OneDnnRecord? OneDnn { get; init; }

    /// <summary>The output trained and measured, the head detected on it and the training loss (null in reports written before heads were detected).</summary>
    public HeadRecord? Head { get; init; }

    /// <summary>Exact zero counts per prunable layer.</summary>
    public IReadOnlyList<LayerSparsity> Layers { get; init; } = [];

    /// <summary>Prunable tensors that <c>protect_first_last</c> kept dense, each with why.</summary>
    public IReadOnlyList<ProtectedRecord> Protected { get; init; } = [];

    /// <summary>Zeros / elements over all prunable layers.</summary>
    public double TotalSparsity { get; init; }

    /// <summary>The dense input model measured by ONNX Runtime on the test split.</summary>
    public MetricsRecord? Baseline { get; init; }

    /// <summary>The exported model measured by ONNX Runtime on the same split.</summary>
    public MetricsRecord? Compressed { get; init; }

    /// <summary>The gate's verdict.</summary>
    public GateRecord? Gate { get; init; }

    /// <summary>File sizes in bytes.</summary>
    public SizeRecord? Sizes { get; init; }

    /// <summary>How the exported weights are stored (<c>quantize:</c>); null in reports written before it existed.</summary>
    public QuantizationRecord? Quantization { get; init; }

    /// <summary>Paired ONNX Runtime latency, dense (reference) against compressed (candidate), one clip per call; null in reports written before it existed.</summary>
    public LatencyRecord? Latency { get; init; }

    /// <summary>As <see cref="Latency"/>, several clips per call (<see cref="LatencyRecord.Batch"/>).</summary>
    public LatencyRecord? LatencyBatched { get; init; }

    /// <summary>With int8 weights: paired latency of the float export (reference) against the int8 file (candidate), one clip per call; null otherwise.</summary>
    public LatencyRecord? QuantizationLatency { get; init; }

    /// <summary>Loss, validation metric and sparsity along the schedule.</summary>
    public IReadOnlyList<SchedulePoint> Schedule { get; init; } = [];

    /// <summary>The sparsities <c>target_sparsity: max</c> tried, with the gate metric and verdict of each (empty otherwise; the sensitivity sweep is <see cref="Sensitivity"/>).</summary>
    public IReadOnlyList<TrialRecord> Trials { get; init; } = [];

    /// <summary>The sensitivity sweep of <c>allocation: sensitivity</c>: one point per (layer, sparsity) with the validation accuracy and loss (empty otherwise).</summary>
    public IReadOnlyList<TrialRecord> Sensitivity { get; init; } = [];

    /// <summary>Every warning of the run, in canonical form (<c>file(line,col): warning CODE: message</c>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The model's output head: <see cref="Output"/> is the graph output measured as shipped; <see cref="Kind"/> is
/// <c>logits</c>, <c>softmax</c>, <c>log_softmax</c> or <c>sigmoid</c>; <see cref="TrainedOn"/> is the value the loss
/// sees (the head node's input for softmax, log_softmax and sigmoid); <see cref="Loss"/> is <c>cross_entropy</c> or
/// <c>binary_cross_entropy</c>; <see cref="Node"/> the activation node, if any.
/// </summary>
public sealed record HeadRecord(string Output, string Kind, string TrainedOn, string Loss, string? Node);

/// <summary>libtorch's oneDNN during fine-tuning: <paramref name="Setting"/> is <c>off</c>, <c>on</c> or <c>auto</c>; <paramref name="Training"/> whether it was on.</summary>
public sealed record OneDnnRecord(string Setting, bool Training, string Reason, IReadOnlyList<ConvolutionCheckRecord> Checks, double Seconds);

/// <summary>One convolution shape checked under <c>COMPRESS_ONEDNN=auto</c>: oneDNN's float32 errors relative to float64 (null when not a number).</summary>
public sealed record ConvolutionCheckRecord(string Shape, double? ForwardError, double? InputGradientError, double? WeightGradientError, bool Passed);

/// <summary>An input file.</summary>
public sealed record InputRecord(string Kind, string Path, string Sha256);

/// <summary>How long a stage took.</summary>
public sealed record StageTiming(string Stage, double Seconds);

/// <summary>A prunable tensor's exact sparsity: <see cref="Zeros"/> of <see cref="Elements"/> are exactly zero.</summary>
public sealed record LayerSparsity(string Name, long Elements, long Zeros)
{
    /// <summary>For a weight constant folding computed (e.g. <c>onnx::GRU_137</c>), the input model's initializers it comes from (e.g. <c>gru.weight_ih_l0</c>); empty otherwise.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Zeros / elements.</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)Zeros / Elements;
}

/// <summary>A prunable tensor kept dense by <c>protect_first_last</c>: its name (with the initializers it was folded from), size and why.</summary>
public sealed record ProtectedRecord(string Name, long Elements, string Reason);

/// <summary>
/// Metrics of one model on one split. For a CTC recogniser <paramref name="Accuracy"/> is the share of utterances
/// decoded exactly, <see cref="Transcription"/> holds the error rates, and the per-class and confusion tables (one row
/// per transcript) are left empty.
/// </summary>
public sealed record MetricsRecord(int Count, double Accuracy, double MacroF1, IReadOnlyList<ClassRecord> PerClass, IReadOnlyList<IReadOnlyList<int>> Confusion, double? FrrAtFaPerHour = null, float? Threshold = null, double? LatencyMsPerClip = null)
{
    /// <summary>Word and character errors of a CTC recogniser's greedy decoding; null for classifiers.</summary>
    public TranscriptionRecord? Transcription { get; init; }

    /// <summary>The operating point of a <c>task: wake_word</c> model; null for other tasks.</summary>
    public WakeWordRecord? WakeWord { get; init; }
}

/// <summary>
/// A wake-word detector's operating point on the split: the threshold that accepts at most <paramref name="FaPerHour"/>
/// false accepts per hour of negative audio, and the false rejects and accepts it makes.
/// </summary>
public sealed record WakeWordRecord(string Label, double FaPerHour, float Threshold, double FalseRejectRate, double FalseAcceptsPerHour, int FalseRejects, int Positives, int FalseAccepts, int Negatives);

/// <summary>
/// A recogniser's errors on the split: rates as corpus totals, the edit-distance counts behind them, and the utterances
/// with the most word errors.
/// </summary>
public sealed record TranscriptionRecord(double Wer, double Cer, double SentenceAccuracy, EditRecord Words, EditRecord Characters, IReadOnlyList<UtteranceRecord> Worst)
{
    /// <summary>How the hypotheses were decoded: <c>greedy</c>, or <c>grammar of N phrases</c> (<c>ctc.grammar</c>).</summary>
    public string Decoder { get; init; } = "greedy";
}

/// <summary>Substitutions, deletions and insertions against a reference of <paramref name="Reference"/> items.</summary>
public sealed record EditRecord(int Substitutions, int Deletions, int Insertions, int Reference);

/// <summary>One utterance's reference and decoded text with its word and character errors.</summary>
public sealed record UtteranceRecord(string Reference, string Hypothesis, int WordErrors, int CharacterErrors);

/// <summary>Per-class precision and recall.</summary>
public sealed record ClassRecord(string Label, int Support, double Precision, double Recall, double F1);

/// <summary>The gate's thresholds, the measured values and the verdict.</summary>
public sealed record GateRecord(string Metric, double? Min, double? Max, double? MaxDrop, double? MaxRelativeDrop, double Value, double Baseline, bool Passed, IReadOnlyList<string> Failures)
{
    /// <summary>The compressed model against the baseline on the same items, with a 95% interval; null for metrics that are not sums over items (<c>macro_f1</c>, <c>frr_at_fa_per_hour</c>).</summary>
    public PairedRecord? Paired { get; init; }
}

/// <summary>
/// The gate metric's compressed-minus-baseline difference on the same <paramref name="Items"/> (clips or utterances),
/// the items each model did better on, and the difference's 95% interval (see <c>Evaluation.PairedDifference</c>).
/// </summary>
public sealed record PairedRecord(int Items, int Better, int Worse, double Difference, double Low, double High);

/// <summary>
/// Sizes in bytes: the dense input, the exported ONNX file, and what gets embedded (after the filter and compression).
/// </summary>
public sealed record SizeRecord(long DenseOnnxBytes, long ExportedOnnxBytes, long EmbeddedBytes, string Storage, string Compression, string Filter = "none");

/// <summary>
/// The exported model's weight quantization: <paramref name="Weights"/> as <c>quantize.weights</c> spells it,
/// <paramref name="Scheme"/> as the model's <c>compress.quantize</c> metadata records it (empty when nothing was
/// quantized), and how many weight tensors are stored as int8. With <c>quantize.activations: int8</c>:
/// <paramref name="Activations"/> (<c>none</c> or <c>int8</c>), the <paramref name="Calibration"/> used and how many
/// activations pass through a QuantizeLinear → DequantizeLinear pair (<paramref name="QuantizedActivations"/>).
/// </summary>
public sealed record QuantizationRecord(string Weights, string Scheme, int QuantizedTensors, string Activations = "none", CalibrationRecord? Calibration = null, int QuantizedActivations = 0)
{
    /// <summary><c>quantize.mode</c> as spelled there: <c>post_training</c>, or <c>aware</c> (int8 weights trained against).</summary>
    public string Mode { get; init; } = "post_training";

    /// <summary>With <see cref="Mode"/> aware: the epochs that trained against the int8 weights (<c>quantize.aware_epochs</c>).</summary>
    public int? AwareEpochs { get; init; }
}

/// <summary>
/// Two models timed in one process, their ONNX Runtime calls alternating round by round on the same clips:
/// milliseconds per clip (median over the rounds of a call's wall time / <paramref name="Batch"/>), the median of the
/// per-round ratios candidate / reference (below 1: the candidate is faster) with their minimum, maximum and quartiles,
/// the rounds, the intra-op threads and the clips per call.
/// </summary>
public sealed record LatencyRecord(
    string Reference,
    string Candidate,
    double ReferenceMsPerClip,
    double CandidateMsPerClip,
    double Ratio,
    double RatioMin,
    double RatioMax,
    double RatioP25,
    double RatioP75,
    int Rounds,
    int Threads,
    int Batch);

/// <summary>How int8 activations were calibrated: <paramref name="Method"/> (<c>minmax</c> or <c>percentile</c>), the percentile of |x| (percentile only) and the number of training clips.</summary>
public sealed record CalibrationRecord(string Method, int Clips, double? Percentile = null);

/// <summary>One point along training.</summary>
public sealed record SchedulePoint(int Epoch, double Sparsity, double Loss, double? ValidationMetric);

/// <summary>One evaluated sparsity level.</summary>
public sealed record TrialRecord(double Sparsity, double Metric, bool Passed, string Label = "")
{
    /// <summary>A sensitivity point's mean validation loss, what <c>allocation: sensitivity</c> compares (null for <c>target_sparsity: max</c> trials).</summary>
    public double? Loss { get; init; }
}
