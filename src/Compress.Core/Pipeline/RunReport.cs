using Compress.Evaluation;
using Compress.Export;
using Compress.Pruning;
using Compress.Reporting;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// Assembles report.json's record of a run from what the stages returned: the one place where the engines' results
/// (<see cref="EpochPoint"/>, <see cref="TensorSparsity"/>, <see cref="SensitivityPoint"/>, <see cref="SparsityTrial"/>)
/// become the report's schema (docs/report.md), so the engines know nothing of the report.
/// </summary>
internal static class RunReport
{
    public static CompressionReport Build(
        string toolVersion, PlannedRun run, PreparedData data, Baseline baseline, AttemptSearch search, long embeddedBytes,
        IReadOnlyList<StageTiming> timings, IReadOnlyList<Compress.Diagnostics.Diagnostic> warnings, LatencyFindings? latency = null)
    {
        var plan = run.Plan;
        var chosen = search.Chosen;
        var g = plan.Gate;
        var prunable = PrunableWeights.Find(run.Model, plan.Pruning);
        return new CompressionReport
        {
            ToolVersion = toolVersion,
            Inputs =
            [
                new("spec", plan.SpecFile, run.SpecFileSha256),
                new("model", plan.ModelPath, run.ModelSha256),
                new("data", plan.Dataset.Root, data.Fingerprint.Sha256),
            ],
            Timings = timings,
            Device = run.Device.Name,
            OneDnn = OneDnn(chosen.Result.OneDnn),
            Method = plan.Pruning.Method.ToString().ToLowerInvariant(),
            Reconstruct = plan.Pruning.Reconstruct,
            InsertedBatchNorms = chosen.Result.InsertedBatchNorms,
            Head = new HeadRecord(run.Head.Output, Spec.SpecNames.Of(run.Head.Kind), run.Head.TrainingValue, run.Head.LossName, run.Head.Node),
            Layers = Layers(chosen.Result.Layers, prunable),
            Protected = [.. prunable.Where(t => t.Status == PrunableStatus.Protected).Select(t => new ProtectedRecord(t.DisplayName, t.Elements, t.StatusReason))],
            TotalSparsity = chosen.Result.TotalSparsity,
            Baseline = Record(baseline.Measurement, g.Metric, baseline.Value, plan.WakeWord),
            Compressed = Record(chosen.Measurement, g.Metric, chosen.Value, plan.WakeWord),
            Gate = new GateRecord(g.Metric.Name, g.Min, g.Max, g.MaxDrop, g.MaxRelativeDrop, chosen.Value, baseline.Value, chosen.Gate.Passed,
                chosen.Gate.Failures.Select(f => f.Message).ToList())
            {
                Paired = Paired(g.Metric.Paired(baseline.Measurement, chosen.Measurement)),
            },
            Sizes = new SizeRecord(baseline.DenseBytes, chosen.Bytes.Length, embeddedBytes, StorageName(plan.Storage), plan.Compression.ToString().ToLowerInvariant(), plan.Filter.ToString().ToLowerInvariant()),
            Quantization = Quantization(plan, chosen),
            Latency = Latency("dense", "compressed", latency?.Single),
            LatencyBatched = Latency("dense", "compressed", latency?.Batched),
            QuantizationLatency = Latency("float", "int8", latency?.Quantization),
            Schedule = Schedule(chosen.Result.History),
            Trials = Trials(search.Trials),
            Sensitivity = Sensitivity(chosen.Result.Sensitivity),
            Warnings = [.. warnings.Select(w => w.ToString())],
        };
    }

    /// <summary>The oneDNN decision as the report records it (errors to 3 significant digits, null where not finite; seconds to 0.01); null stays null.</summary>
    internal static OneDnnRecord? OneDnn(Runtime.OneDnnDecision? d) => d is null ? null : new OneDnnRecord(
        d.Setting,
        d.Training,
        d.Reason,
        [.. d.Checks.Select(c => new ConvolutionCheckRecord(c.Shape.ToString(), Significant(c.ForwardError), Significant(c.InputGradientError), Significant(c.WeightGradientError), c.Passed))],
        Math.Round(d.Seconds, 2));

    /// <summary><paramref name="value"/> to 3 significant digits (at most 15 decimals); null for NaN or infinity, which JSON cannot hold.</summary>
    private static double? Significant(double value) =>
        !double.IsFinite(value) ? null : value == 0 ? 0 : Math.Round(value, Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15));

    /// <summary>A paired metric difference as the report records it (to 6 decimals); null stays null.</summary>
    internal static PairedRecord? Paired(PairedDifference? p) => p is null ? null
        : new PairedRecord(p.Items, p.Better, p.Worse, Math.Round(p.Difference, 6), Math.Round(p.Low, 6), Math.Round(p.High, 6));

    /// <summary>A paired latency as the report records it (ms to 5 decimals, ratios to 4); null stays null.</summary>
    internal static LatencyRecord? Latency(string reference, string candidate, PairedLatency? p) => p is null ? null : new LatencyRecord(
        reference,
        candidate,
        Math.Round(p.ReferenceMsPerClip, 5),
        Math.Round(p.CandidateMsPerClip, 5),
        Math.Round(p.Ratio, 4),
        Math.Round(p.RatioMin, 4),
        Math.Round(p.RatioMax, 4),
        Math.Round(p.RatioP25, 4),
        Math.Round(p.RatioP75, 4),
        p.Rounds.Count,
        p.Threads,
        p.Batch);

    /// <summary>
    /// The scheme the model's <c>compress.quantize</c> and the report record: null when no weight is int8; with
    /// <c>activations: int8</c> the activation scheme (its weights are 7-bit even where no activation pair was placed).
    /// </summary>
    internal static string? Scheme(PipelinePlan plan, int quantizedTensors) => quantizedTensors == 0 ? null : plan.Activations switch
    {
        ActivationQuantization.None => Int8WeightQuantizer.Scheme,
        ActivationQuantization.Int8 => Int8ActivationQuantizer.Scheme(plan.Calibration),
    };

    /// <summary>The <c>quantization</c> object: what <c>quantize:</c> asked for and what the shipped file holds.</summary>
    internal static QuantizationRecord Quantization(PipelinePlan plan, Attempt chosen)
    {
        var scheme = Scheme(plan, chosen.QuantizedTensors) ?? "";
        var c = plan.Calibration;
        var calibration = plan.Activations == ActivationQuantization.Int8
            ? new CalibrationRecord(Spec.SpecNames.Of(c.Method), c.Clips, c.Method == CalibrationMethod.Percentile ? c.Percentile : null)
            : null;
        return new QuantizationRecord(Spec.SpecNames.Of(plan.Quantize), scheme, chosen.QuantizedTensors, Spec.SpecNames.Of(plan.Activations), calibration, chosen.QuantizedActivations)
        {
            Mode = Spec.SpecNames.Of(plan.FineTune.QuantizeAwareEpochs > 0 ? QuantizationMode.Aware : QuantizationMode.PostTraining),
            AwareEpochs = plan.FineTune.QuantizeAwareEpochs > 0 ? plan.FineTune.QuantizeAwareEpochs : null,
        };
    }

    /// <summary>Each tensor's zero count, with the initializers constant folding made it from (by name in <paramref name="prunable"/>).</summary>
    internal static IReadOnlyList<LayerSparsity> Layers(IEnumerable<TensorSparsity> layers, IEnumerable<PrunableTensor> prunable)
    {
        var sources = prunable.ToDictionary(t => t.Name, t => t.Sources, StringComparer.Ordinal);
        return [.. layers.Select(l => new LayerSparsity(l.Name, l.Elements, l.Zeros) { Sources = sources.TryGetValue(l.Name, out var s) ? s : [] })];
    }

    /// <summary>One schedule point per trained epoch; the validation metric is the executor's accuracy.</summary>
    internal static IReadOnlyList<SchedulePoint> Schedule(IEnumerable<EpochPoint> history) =>
        [.. history.Select(p => new SchedulePoint(p.Epoch, p.Sparsity, p.Loss, p.ValidationAccuracy))];

    /// <summary>The sensitivity sweep: the label is the tensor, the metric its validation accuracy, with the loss the allocation compared; a sweep point passes no gate, so all pass.</summary>
    internal static IReadOnlyList<TrialRecord> Sensitivity(IEnumerable<SensitivityPoint> points) =>
        [.. points.Select(p => new TrialRecord(p.Sparsity, p.Accuracy, true, p.Tensor) { Loss = p.Loss })];

    /// <summary>The <c>target_sparsity: max</c> trials: the sparsity reached, the gate metric, the verdict, and the target as the label.</summary>
    internal static IReadOnlyList<TrialRecord> Trials(IEnumerable<SparsityTrial> trials) =>
        [.. trials.Select(t => new TrialRecord(t.Sparsity, t.Value, t.Passed, $"target {t.Target:0.00}"))];

    /// <summary>How many of a recogniser's worst utterances the report lists.</summary>
    internal const int WorstUtterances = 10;

    /// <summary>
    /// One model's metrics. <c>threshold</c> is the gate's operating point when the gate is <c>frr_at_fa_per_hour</c>,
    /// else the wake word's; <c>wake_word</c> is filled for <c>task: wake_word</c>.
    /// </summary>
    internal static MetricsRecord Record(OrtMeasurement m, GateMetric metric, double value, FalseRejectRateMetric? wakeWord)
    {
        var wakePoint = wakeWord?.OperatingPoint(m);
        var threshold = metric is FalseRejectRateMetric frr ? frr.OperatingPoint(m).Threshold : wakePoint?.Threshold;
        threshold = threshold is float raw ? Probability(raw) : null;
        return new(
            m.Metrics.Count,
            m.Metrics.Accuracy,
            m.Metrics.MacroF1,
            m.Transcription is null ? m.Metrics.PerClass.Select(c => new ClassRecord(c.Label, c.Support, c.Precision, c.Recall, c.F1)).ToList() : [],
            m.Transcription is null ? m.Metrics.Confusion : [],
            metric is FalseRejectRateMetric ? value : wakePoint?.FalseRejectRate,
            threshold,
            LatencyMsPerClip: Math.Round(m.MedianLatencyMs, 4))
        {
            Transcription = m.Transcription is { } t ? Transcription(t, WorstUtterances) : null,
            WakeWord = wakeWord is null || wakePoint is null ? null : WakeWord(wakeWord, m, wakePoint),
        };
    }

    /// <summary>A threshold on probabilities as the report and manifest write it: −∞ (accept every clip) becomes 0, which every probability reaches.</summary>
    internal static float Probability(float threshold) => float.IsNegativeInfinity(threshold) ? 0f : threshold;

    private static WakeWordRecord WakeWord(FalseRejectRateMetric metric, OrtMeasurement m, WakeWordOperatingPoint p)
    {
        var positive = metric.PositiveIndex(m);
        var positives = m.Truth.Count(t => t == positive);
        return new WakeWordRecord(
            m.Metrics.Labels[positive],
            metric.FaPerHour,
            Probability(p.Threshold),
            Math.Round(p.FalseRejectRate, 6),
            Math.Round(p.FalseAcceptsPerHour, 4),
            p.FalseRejects,
            positives,
            p.FalseAccepts,
            m.Truth.Count - positives);
    }

    /// <summary>The report's record of a recogniser's errors, with its <paramref name="worst"/> worst utterances.</summary>
    internal static TranscriptionRecord Transcription(TranscriptionMetrics t, int worst) => new(
        t.Wer,
        t.Cer,
        t.SentenceAccuracy,
        Edit(t.Words),
        Edit(t.Characters),
        [.. t.Worst(worst).Select(u => new UtteranceRecord(u.Reference, u.Hypothesis, u.Words.Errors, u.Characters.Errors))])
    {
        Decoder = t.Decoder,
    };

    private static EditRecord Edit(Text.EditCounts c) => new(c.Substitutions, c.Deletions, c.Insertions, c.Reference);

    private static string StorageName(StorageMode mode) => mode switch
    {
        StorageMode.Sparse => "sparse",
        StorageMode.SparseInt64 => "sparse-int64",
        StorageMode.Dense => "dense",
    };
}
