namespace Compress.Training;

/// <summary>The optimizer of the fine-tune loop.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum.</summary>
    [SpecName("sgd")] Sgd,

    /// <summary>Adam; <see cref="FineTuneOptions.WeightDecay"/> is an L2 penalty added to the gradient.</summary>
    [SpecName("adam")] Adam,

    /// <summary>Adam with decoupled weight decay.</summary>
    [SpecName("adamw")] AdamW,
}

/// <summary>How the learning rate changes over training (after the linear warmup).</summary>
public enum LrScheduleKind
{
    /// <summary>The base learning rate throughout.</summary>
    [SpecName("constant")] Constant,

    /// <summary>Cosine decay from the base rate to 0 at the last step.</summary>
    [SpecName("cosine")] Cosine,

    /// <summary>Multiply by <see cref="FineTuneOptions.StepGamma"/> every <see cref="FineTuneOptions.StepEpochs"/> epochs.</summary>
    [SpecName("step")] Step,

    /// <summary>
    /// The base rate until the pruning schedule has reached its final sparsity, then cosine decay to 0 at the last step:
    /// the decay is spent on recovering from the last cut, not on the ramp (with nothing to prune, as <see cref="Cosine"/>).
    /// </summary>
    [SpecName("cosine-after-pruning")] CosineAfterPruning,
}

/// <summary>
/// How the network is (fine-)trained. Epochs count full passes over the training data; the learning rate is per
/// optimizer step; <see cref="WarmupEpochs"/> ramps it linearly from 0. <see cref="GradientClip"/> &gt; 0 clips
/// the global L2 norm of the gradients. <see cref="LabelSmoothing"/> ε mixes the one-hot target with the uniform
/// distribution. <see cref="DistillationWeight"/> α in [0, 1] mixes cross-entropy with the temperature-scaled
/// KL divergence to the dense input model: (1 − α)·CE + α·T²·KL. <see cref="EarlyStopPatience"/> &gt; 0 stops
/// after that many epochs without improvement of <see cref="EarlyStopMetric"/> (<c>accuracy</c> or <c>loss</c>,
/// on the validation data) once the final sparsity is reached, and restores the best such epoch.
/// <see cref="Seed"/> fixes initial randomness and batch order; <see cref="Threads"/> &gt; 0 sets TorchSharp's
/// intra-op threads (0 keeps the current setting). <see cref="QuantizeAwareEpochs"/> &gt; 0 trains the last that many
/// epochs against the int8 weights the export writes (<c>quantize.mode: aware</c>; the pruning engine's hook does it);
/// <see cref="QuantizeAwareActivations"/>: the export also quantizes activations, so Conv/MatMul/Gemm weights are 7-bit.
/// <see cref="InsertBatchNorm"/> (<c>finetune.insert_batchnorm</c>) trains a BatchNormalization after every Conv that has
/// none (a PyTorch export folds them away) and folds it back into the Conv at export (<c>Pruning.BatchNormInsertion</c>).
/// </summary>
public sealed record FineTuneOptions(
    int Epochs = FineTuneOptions.DefaultEpochs,
    int BatchSize = FineTuneOptions.DefaultBatchSize,
    OptimizerKind Optimizer = FineTuneOptions.DefaultOptimizer,
    double LearningRate = FineTuneOptions.DefaultLearningRate,
    double Momentum = FineTuneOptions.DefaultMomentum,
    bool Nesterov = FineTuneOptions.DefaultNesterov,
    double WeightDecay = FineTuneOptions.DefaultWeightDecay,
    LrScheduleKind LrSchedule = FineTuneOptions.DefaultLrSchedule,
    int WarmupEpochs = FineTuneOptions.DefaultWarmupEpochs,
    double StepGamma = FineTuneOptions.DefaultStepGamma,
    int StepEpochs = FineTuneOptions.DefaultStepEpochs,
    double GradientClip = 0,
    double LabelSmoothing = FineTuneOptions.DefaultLabelSmoothing,
    double DistillationWeight = 0,
    double Temperature = FineTuneOptions.DefaultTemperature,
    int EarlyStopPatience = 0,
    string EarlyStopMetric = "accuracy",
    int Seed = 1,
    int Threads = 0,
    int QuantizeAwareEpochs = 0,
    bool QuantizeAwareActivations = false,
    bool InsertBatchNorm = FineTuneOptions.DefaultInsertBatchNorm)
{
    // The defaults below are the only copies: the spec parser, the spec records, SpecTemplate (`init`) and
    // docs/compress-yaml.md use or are tested against them (SpecDefaultsTests).

    /// <summary>Default <see cref="Epochs"/> (full passes over the training data): 10.</summary>
    public const int DefaultEpochs = 10;

    /// <summary>Default <see cref="BatchSize"/> (clips per optimizer step): 64.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Default <see cref="Optimizer"/> (<c>finetune.optimizer</c>): Adam.</summary>
    public const OptimizerKind DefaultOptimizer = OptimizerKind.Adam;

    /// <summary>Default <see cref="LearningRate"/> (peak learning rate per optimizer step): 1e-3.</summary>
    public const double DefaultLearningRate = 1e-3;

    /// <summary>Default <see cref="Momentum"/> (SGD momentum): 0.9.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>Default <see cref="Nesterov"/> (SGD with Nesterov momentum): false.</summary>
    public const bool DefaultNesterov = false;

    /// <summary>Default <see cref="WeightDecay"/> (L2 penalty or decoupled decay per step): 0.</summary>
    public const double DefaultWeightDecay = 0;

    /// <summary>
    /// Default <see cref="LrSchedule"/> (<c>finetune.lr_schedule</c>): cosine-after-pruning — cosine without pruning,
    /// and ahead of plain cosine on every paired measurement of a pruning ramp (docs/benchmarks.md §1c).
    /// </summary>
    public const LrScheduleKind DefaultLrSchedule = LrScheduleKind.CosineAfterPruning;

    /// <summary>Default <see cref="WarmupEpochs"/> (epochs of linear warm-up from 0): 0.</summary>
    public const int DefaultWarmupEpochs = 0;

    /// <summary>Default <see cref="StepGamma"/> (factor per step of the step schedule): 0.1.</summary>
    public const double DefaultStepGamma = 0.1;

    /// <summary>Default <see cref="StepEpochs"/> (epochs between steps of the step schedule): 10.</summary>
    public const int DefaultStepEpochs = 10;

    /// <summary>Default <see cref="LabelSmoothing"/> (ε): 0.</summary>
    public const double DefaultLabelSmoothing = 0;

    /// <summary>Default <see cref="InsertBatchNorm"/> (<c>finetune.insert_batchnorm</c>): false.</summary>
    public const bool DefaultInsertBatchNorm = false;

    /// <summary>Default <see cref="Temperature"/> (distillation temperature T): 4.</summary>
    public const double DefaultTemperature = 4;
}

/// <summary>
/// Reported while training: the 1-based <see cref="Epoch"/> of <see cref="Epochs"/> and <see cref="Step"/> of
/// <see cref="Steps"/> within it, the mean training loss of the epoch so far, the current sparsity of the
/// prunable weights (fraction of eligible weights pruned), the validation accuracy at the end of an epoch (null mid-epoch), and
/// the wall-clock time since training began.
/// </summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Sparsity, double? ValidationMetric, TimeSpan Elapsed);
