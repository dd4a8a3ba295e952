using Compress.Training;

namespace Compress.Spec;

/// <summary><c>finetune:</c> how the network is trained while (and after) it is pruned.</summary>
public sealed record FinetuneSpec
{
    /// <summary>Fine-tuning epochs, in [1, 10000]. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Clips per optimizer step, in [1, 65536]. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Peak learning rate, &gt; 0 and ≤ 10. Default 0.001.</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>SGD momentum, in [0, 1). Default 0.9 (sgd only).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum (sgd only; needs momentum &gt; 0). Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Weight decay, ≥ 0 (never applied to pruned weights). Default 0.01 for adamw, else 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>The learning-rate schedule after warm-up. Default <see cref="LrScheduleKind.Cosine"/>.</summary>
    public LrScheduleKind LrSchedule { get; init; } = LrScheduleKind.Cosine;

    /// <summary>Epochs of linear warm-up from 0 to the learning rate, in [0, epochs). Default 0.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Learning-rate factor per step (step schedule), in (0, 1). Default 0.1.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Epochs between steps (step schedule), ≥ 1. Default 10.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>Largest global gradient L2 norm (clipped above); null = no clipping. &gt; 0.</summary>
    public double? GradientClip { get; init; }

    /// <summary>Label smoothing ε in [0, 1). Default 0.</summary>
    public double LabelSmoothing { get; init; }

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
    /// <summary>Weight of the distillation term, in (0, 1]. Default 0.5.</summary>
    public double Weight { get; init; } = 0.5;

    /// <summary>Softmax temperature T, &gt; 0. Default 4.</summary>
    public double Temperature { get; init; } = 4;

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

    /// <summary>Epochs without improvement before stopping, ≥ 1. Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Where the <c>early_stop:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
