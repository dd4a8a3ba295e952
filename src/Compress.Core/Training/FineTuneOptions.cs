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
/// intra-op threads (0 keeps the current setting).
/// </summary>
public sealed record FineTuneOptions(
    int Epochs = 10,
    int BatchSize = 64,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    double LearningRate = 1e-3,
    double Momentum = 0.9,
    bool Nesterov = false,
    double WeightDecay = 0,
    LrScheduleKind LrSchedule = LrScheduleKind.Cosine,
    int WarmupEpochs = 0,
    double StepGamma = 0.1,
    int StepEpochs = 10,
    double GradientClip = 0,
    double LabelSmoothing = 0,
    double DistillationWeight = 0,
    double Temperature = 4,
    int EarlyStopPatience = 0,
    string EarlyStopMetric = "accuracy",
    int Seed = 1,
    int Threads = 0);

/// <summary>
/// Reported while training: the 1-based <see cref="Epoch"/> of <see cref="Epochs"/> and <see cref="Step"/> of
/// <see cref="Steps"/> within it, the mean training loss of the epoch so far, the current sparsity of the
/// prunable weights (fraction of eligible weights pruned), the validation accuracy at the end of an epoch (null mid-epoch), and
/// the wall-clock time since training began.
/// </summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Sparsity, double? ValidationMetric, TimeSpan Elapsed);
