using Compress.Data;
using Compress.Evaluation;
using Compress.Export;
using Compress.Features;
using Compress.Pruning;
using Compress.Spec;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// Maps a parsed <see cref="CompressSpec"/> onto the engines' option records. The parser has already checked
/// types, ranges and contradictions, and the caller the paths (<c>SpecChecks.CheckPaths</c>).
/// </summary>
public static class SpecMapping
{
    /// <summary>The plan for <paramref name="request"/>.</summary>
    public static PipelinePlan ToPlan(PipelineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = request.Spec;

        var seed = spec.Seed;
        var threads = spec.Threads ?? 0;
        var frontEnd = FrontEnd(spec.Features);
        var pruning = Pruning(spec.Pruning);
        var gate = spec.Gate;
        var output = request.OutputPath is null ? spec.Output.Path : Path.GetFullPath(request.OutputPath);
        return new PipelinePlan(
            SpecFile: spec.File,
            SpecSha256: spec.Hash,
            ModelPath: spec.Model.Path,
            Labels: spec.Labels,
            Dataset: Dataset(spec, seed),
            FrontEnd: frontEnd,
            Prepend: spec.Features.Prepend && frontEnd.Kind != FrontEndKind.None,
            Augmentation: Augmentation(spec.Data.Augmentation),
            CacheFolder: spec.Data.Cache,
            Pruning: pruning,
            SearchMaxSparsity: spec.Pruning.TargetSparsity?.IsMax == true,
            MaxTrials: spec.Pruning.MaxTrials,
            FineTune: FineTune(spec.Finetune, seed, threads) with
            {
                QuantizeAwareEpochs = spec.Quantize.Weights == WeightQuantization.Int8 && spec.Quantize.Mode == QuantizationMode.Aware ? spec.Quantize.AwareEpochs : 0,
                QuantizeAwareActivations = spec.Quantize.Activations == ActivationQuantization.Int8,
            },
            Gate: gate?.ToGate(frontEnd.ClipSeconds, spec.WakeWord?.Label) ?? new Gate(spec.Ctc is null ? Evaluation.GateMetric.Accuracy : Evaluation.GateMetric.Wer),
            GateLocation: (gate?.Location ?? spec.LocationOf("gate")).ToGateLocation(),
            Storage: spec.Output.Storage,
            Compression: spec.Output.Compress,
            Filter: spec.Output.Filter,
            OutputPath: output,
            ReportFolder: request.ReportFolder is null ? spec.Output.Report : Path.GetFullPath(request.ReportFolder),
            ManifestPath: request.ManifestPath is null ? null : Path.GetFullPath(request.ManifestPath),
            Seed: seed,
            Threads: threads,
            Inputs: new ModelInputOptions(spec.Model.Input, spec.Features.Layout, spec.LocationOf("features.layout"), spec.Model.Inputs, spec.Model.Location, spec.Output.Batch))
        {
            OutputName = spec.Model.Output,
            Ctc = CtcHead(spec),
            WakeWord = spec.WakeWord is { } w ? Evaluation.GateMetric.FrrAtFaPerHour(w.FaPerHour, frontEnd.ClipSeconds, w.Label) : null,
            Quantize = spec.Quantize.Weights,
            RequireFaster = spec.Quantize.RequireFaster,
            RequireFasterLocation = spec.Quantize.RequireFasterLocation,
            QuantizeLocation = spec.Quantize.Location,
            Activations = spec.Quantize.Activations,
            Calibration = spec.Quantize.Calibration,
        };
    }

    /// <summary>The data section as loader options.</summary>
    public static DatasetOptions Dataset(CompressSpec spec, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var d = spec.Data;
        return new DatasetOptions(
            d.Format,
            d.Root ?? spec.Folder,
            spec.Labels,
            Manifest: d.Manifest,
            FeaturesPath: d.Features,
            LabelsPath: d.Labels,
            UnknownFraction: d.UnknownFraction,
            SilenceFraction: d.SilenceFraction,
            ValidationPercent: (int)Math.Round(d.ValidationPercent),
            TestingPercent: (int)Math.Round(d.TestingPercent),
            OnBadFile: d.OnBadFile,
            Seed: seed)
        {
            Transcripts = spec.Ctc is { } ctc ? new TranscriptOptions(ctc.Normalization, ctc.Vocabulary(spec.Labels), spec.Features.Kind == FrontEndKind.None ? 0 : spec.Features.ClipSeconds) : null,
        };
    }

    /// <summary>
    /// The CTC head of a <c>task: ctc</c> spec, without transcripts yet (<see cref="Spell"/>), with its grammar read
    /// (CMP3109 for a phrase the labels cannot spell, CMP3111 for an empty file); null for classifiers.
    /// </summary>
    public static Graph.CtcHead? CtcHead(CompressSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Ctc is not { } ctc)
        {
            return null;
        }

        var head = ctc.Head(spec.Labels);
        return ctc.Grammar is { } grammar ? head with { Grammar = GrammarFile.Load(grammar, ctc.Vocabulary(spec.Labels), ctc.Normalization) } : head;
    }

    /// <summary>
    /// <paramref name="ctc"/> with its targets: each of <paramref name="transcripts"/> (a loaded dataset's labels, which the
    /// loader has already checked can be spelled, CMP3109) in token ids.
    /// </summary>
    public static Graph.CtcHead Spell(Graph.CtcHead ctc, IReadOnlyList<string> transcripts)
    {
        ArgumentNullException.ThrowIfNull(ctc);
        ArgumentNullException.ThrowIfNull(transcripts);
        var vocabulary = new Text.CtcVocabulary(ctc.Tokens, ctc.Blank, ctc.Delimiter);
        return ctc with
        {
            Targets = [.. transcripts.Select(t => vocabulary.Tokenize(t, out _) ?? throw new InvalidOperationException($"transcript '{t}' was loaded but cannot be spelled"))],
        };
    }

    /// <summary>The features section as front-end options.</summary>
    public static FrontEndOptions FrontEnd(FeaturesSpec f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return f.ToFrontEnd();
    }

    private static AugmentationOptions? Augmentation(AugmentationSpec? a) => a is null ? null : new AugmentationOptions(
        a.Copies, a.TimeShiftMs, a.NoiseProbability, a.SnrDbMin, a.SnrDbMax, a.GainDb, a.SpeedPercent, a.TimeMasks, a.FreqMasks);

    /// <summary>The pruning section as engine options (<c>target_sparsity: max</c> starts at 0.5; the pipeline sweeps).</summary>
    public static PruningOptions Pruning(PruningSpec p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var s = p.Schedule;
        return new PruningOptions(
            p.Method,
            TargetSparsity: p.TargetSparsity?.Fraction ?? (p.Method == PruningMethod.None ? 0 : PruningOptions.DefaultTargetSparsity),
            Scope: p.Scope,
            MinLayerSparsity: p.MinLayerSparsity,
            MaxLayerSparsity: p.MaxLayerSparsity,
            Allocation: p.Allocation,
            Include: p.Include,
            Exclude: p.Exclude,
            ProtectFirstAndLast: p.ProtectFirstLast,
            Schedule: new ScheduleOptions(
                s.Kind,
                s.InitialSparsity,
                s.BeginEpoch,
                s.EndEpoch > 0 ? s.EndEpoch : null,
                s.FrequencySteps,
                s.Power,
                s.Rounds),
            ChannelCriterion: p.ChannelCriterion,
            RoundTo: p.RoundTo,
            GradientBatches: p.GradientBatches,
            RegularizationLambda: p.Lambda,
            RegularizationEpochs: p.RegularizationEpochs,
            N: p.N,
            M: p.M,
            SensitivityBand: p.SensitivityBand,
            Regularization: p.Regularization,
            Reconstruct: p.Reconstruct);
    }

    /// <summary>The finetune section as engine options.</summary>
    public static FineTuneOptions FineTune(FinetuneSpec f, int seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new FineTuneOptions(
            f.Epochs,
            f.BatchSize,
            f.Optimizer,
            f.LearningRate,
            f.Momentum,
            f.Nesterov,
            f.WeightDecay,
            f.LrSchedule,
            f.WarmupEpochs,
            f.StepGamma,
            f.StepEpochs,
            f.GradientClip ?? 0,
            f.LabelSmoothing,
            f.Distillation?.Weight ?? 0,
            f.Distillation?.Temperature ?? FineTuneOptions.DefaultTemperature,
            f.EarlyStop?.Patience ?? 0,
            SpecNames.Of(f.EarlyStop?.Metric ?? EarlyStopMetric.Accuracy),
            seed,
            threads,
            InsertBatchNorm: f.InsertBatchNorm);
    }
}
