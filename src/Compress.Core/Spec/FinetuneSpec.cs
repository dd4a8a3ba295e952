using Compress.Training;

namespace Compress.Spec;

/// <summary><c>finetune:</c> how the network is trained while (and after) it is pruned.</summary>
public sealed record FinetuneSpec
{
    /// <summary>Fine-tuning epochs, in [1, 10000]. Default 10.</summary>
    public int Epochs { get; init; } = FineTuneOptions.DefaultEpochs;

    /// <summary>Clips per optimizer step, in [1, 65536]. Default 64.</summary>
    public int BatchSize { get; init; } = FineTuneOptions.DefaultBatchSize;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = FineTuneOptions.DefaultOptimizer;

    /// <summary>Peak learning rate, &gt; 0 and ≤ 10. Default 0.001.</summary>
    public double LearningRate { get; init; } = FineTuneOptions.DefaultLearningRate;

    /// <summary>SGD momentum, in [0, 1). Default 0.9 (sgd only).</summary>
    public double Momentum { get; init; } = FineTuneOptions.DefaultMomentum;

    /// <summary>Nesterov momentum (sgd only; needs momentum &gt; 0). Default false.</summary>
    public bool Nesterov { get; init; } = FineTuneOptions.DefaultNesterov;

    /// <summary>Default <see cref="WeightDecay"/> with <c>adamw</c> (decoupled decay per step): 0.01. Other optimizers default to <see cref="FineTuneOptions.DefaultWeightDecay"/>.</summary>
    public const double DefaultAdamWWeightDecay = 0.01;

    /// <summary>Weight decay, ≥ 0 (never applied to pruned weights). Default <see cref="DefaultAdamWWeightDecay"/> for adamw, else 0.</summary>
    public double WeightDecay { get; init; } = FineTuneOptions.DefaultWeightDecay;

    /// <summary>The learning-rate schedule after warm-up. Default <see cref="LrScheduleKind.CosineAfterPruning"/>.</summary>
    public LrScheduleKind LrSchedule { get; init; } = FineTuneOptions.DefaultLrSchedule;

    /// <summary>Epochs of linear warm-up from 0 to the learning rate, in [0, epochs). Default 0.</summary>
    public int WarmupEpochs { get; init; } = FineTuneOptions.DefaultWarmupEpochs;

    /// <summary>Learning-rate factor per step (step schedule), in (0, 1). Default 0.1.</summary>
    public double StepGamma { get; init; } = FineTuneOptions.DefaultStepGamma;

    /// <summary>Epochs between steps (step schedule), ≥ 1. Default 10.</summary>
    public int StepEpochs { get; init; } = FineTuneOptions.DefaultStepEpochs;

    /// <summary>Largest global gradient L2 norm (clipped above); null = no clipping. &gt; 0.</summary>
    public double? GradientClip { get; init; }

    /// <summary>Label smoothing ε in [0, 1). Default 0.</summary>
    public double LabelSmoothing { get; init; } = FineTuneOptions.DefaultLabelSmoothing;

    /// <summary>
    /// Train a BatchNormalization after every Conv without one (the file's were folded into the Conv by the export) and
    /// fold it back at export, so each channel is re-centred while it is pruned. Default false.
    /// </summary>
    public bool InsertBatchNorm { get; init; } = FineTuneOptions.DefaultInsertBatchNorm;

    /// <summary>Knowledge distillation from the dense input model; null = off.</summary>
    public DistillationSpec? Distillation { get; init; }

    /// <summary>Early stopping on a validation metric; null = off (all epochs run).</summary>
    public EarlyStopSpec? EarlyStop { get; init; }

    /// <summary>Where the <c>finetune:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}

/// <summary>
/// <c>finetune.distillation:</c> loss = (1 − weight)·CE(student, label) + weight·T²·KL(teacher_T ‖ student_T),
/// the teacher being the dense input model.
/// </summary>
public sealed record DistillationSpec
{
    /// <summary>Default <see cref="Weight"/> α once <c>distillation:</c> is present: 0.5 (the engine's own default, 0, means off).</summary>
    public const double DefaultWeight = 0.5;

    /// <summary>Weight of the distillation term, in (0, 1]. Default <see cref="DefaultWeight"/>.</summary>
    public double Weight { get; init; } = DefaultWeight;

    /// <summary>Softmax temperature T, &gt; 0. Default 4.</summary>
    public double Temperature { get; init; } = FineTuneOptions.DefaultTemperature;

    /// <summary>Where the <c>distillation:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}

/// <summary>
/// <c>finetune.early_stop:</c> stop when the validation metric has not improved for <see cref="Patience"/>
/// epochs after the pruning schedule reached its target; the best epoch's weights are kept.
/// </summary>
public sealed record EarlyStopSpec
{
    /// <summary>The watched metric. Default <see cref="EarlyStopMetric.Accuracy"/>.</summary>
    public EarlyStopMetric Metric { get; init; } = EarlyStopMetric.Accuracy;

    /// <summary>Default <see cref="Patience"/> once <c>early_stop:</c> is present: 3 epochs (the engine's own default, 0, means off).</summary>
    public const int DefaultPatience = 3;

    /// <summary>Epochs without improvement before stopping, ≥ 1. Default <see cref="DefaultPatience"/>.</summary>
    public int Patience { get; init; } = DefaultPatience;

    /// <summary>Where the <c>early_stop:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
