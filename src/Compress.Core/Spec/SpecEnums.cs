namespace Compress.Spec;

/// <summary><c>data.format</c>: how the labelled data is laid out.</summary>
public enum DataFormat
{
    /// <summary><c>&lt;root&gt;/&lt;label&gt;/*.wav</c>, with optional <c>validation_list.txt</c>/<c>testing_list.txt</c>.</summary>
    [SpecName("speech_commands")] SpeechCommands,

    /// <summary>A CSV/TSV manifest <c>path,label[,split]</c>.</summary>
    [SpecName("manifest")] Manifest,

    /// <summary>Precomputed features and labels as NumPy <c>.npy</c> arrays.</summary>
    [SpecName("npy")] Npy,
}

/// <summary><c>data.on_bad_file</c>: what happens after unreadable audio files are reported.</summary>
public enum BadFilePolicy
{
    /// <summary>Report every bad file, then stop.</summary>
    [SpecName("fail")] Fail,

    /// <summary>Report every bad file (as warnings) and leave them out.</summary>
    [SpecName("skip")] Skip,
}

/// <summary><c>features.kind</c>: the audio front-end computed before the model.</summary>
public enum FeatureKind
{
    /// <summary>The model takes raw audio (or the data are precomputed features).</summary>
    [SpecName("none")] None,

    /// <summary>Log mel filterbank energies.</summary>
    [SpecName("log_mel")] LogMel,

    /// <summary>Mel-frequency cepstral coefficients (DCT of the log mel energies).</summary>
    [SpecName("mfcc")] Mfcc,
}

/// <summary><c>pruning.method</c>.</summary>
public enum PruningMethod
{
    /// <summary>No pruning: fine-tune (or train) only.</summary>
    [SpecName("none")] None,

    /// <summary>Remove the smallest |w|.</summary>
    [SpecName("magnitude")] Magnitude,

    /// <summary>First-order Taylor saliency |w · ∂L/∂w|, accumulated over <c>gradient_batches</c>.</summary>
    [SpecName("gradient")] Gradient,

    /// <summary>An L1 (λ·‖w‖₁) regularisation phase, then magnitude pruning.</summary>
    [SpecName("l1")] L1,

    /// <summary>An L2 (λ·‖w‖₂²) regularisation phase, then magnitude pruning.</summary>
    [SpecName("l2")] L2,

    /// <summary>Structured: whole output channels / neurons / hidden units are physically removed.</summary>
    [SpecName("channel")] Channel,

    /// <summary>Semi-structured: in every group of <c>m</c> consecutive weights at most <c>n</c> are non-zero.</summary>
    [SpecName("n:m")] NM,
}

/// <summary><c>pruning.scope</c>: how the sparsity target is shared between layers.</summary>
public enum PruningScope
{
    /// <summary>Each prunable tensor reaches its own target.</summary>
    [SpecName("per-layer")] PerLayer,

    /// <summary>One threshold over all prunable tensors; layers end at different sparsities.</summary>
    [SpecName("global")] Global,
}

/// <summary><c>pruning.allocation</c>: how per-layer targets are chosen.</summary>
public enum SparsityAllocation
{
    /// <summary>Every layer gets the same target (clamped to the layer bounds).</summary>
    [SpecName("uniform")] Uniform,

    /// <summary>A sensitivity sweep picks per-layer targets that reach the total with the smallest predicted loss.</summary>
    [SpecName("sensitivity")] Sensitivity,
}

/// <summary><c>pruning.schedule.kind</c>: when sparsity grows.</summary>
public enum ScheduleKind
{
    /// <summary>Prune to the target once, before fine-tuning.</summary>
    [SpecName("one-shot")] OneShot,

    /// <summary>Zhu &amp; Gupta: s_t = s_f + (s_i − s_f)(1 − (t − t₀)/(t₁ − t₀))^power between begin and end epoch.</summary>
    [SpecName("polynomial")] Polynomial,

    /// <summary><c>rounds</c> rounds of prune → fine-tune, the last round reaching the target; fine-tuning epochs are split evenly between rounds.</summary>
    [SpecName("iterative")] Iterative,
}

/// <summary><c>pruning.channel_criterion</c>: how channels are scored for structured pruning.</summary>
public enum ChannelCriterion
{
    /// <summary>L1 norm of the channel's weights.</summary>
    [SpecName("l1")] L1,

    /// <summary>L2 norm of the channel's weights.</summary>
    [SpecName("l2")] L2,

    /// <summary>First-order Taylor saliency summed over the channel, over <c>gradient_batches</c>.</summary>
    [SpecName("taylor")] Taylor,
}

/// <summary><c>finetune.optimizer</c>.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum.</summary>
    [SpecName("sgd")] Sgd,

    /// <summary>Adam (L2 weight decay added to the gradient).</summary>
    [SpecName("adam")] Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    [SpecName("adamw")] AdamW,
}

/// <summary><c>finetune.lr_schedule</c>: the learning rate after warm-up.</summary>
public enum LrScheduleKind
{
    /// <summary>The learning rate stays at <c>learning_rate</c>.</summary>
    [SpecName("constant")] Constant,

    /// <summary>Cosine decay from <c>learning_rate</c> to 0 at the last epoch.</summary>
    [SpecName("cosine")] Cosine,

    /// <summary>Multiplied by <c>step_gamma</c> every <c>step_epochs</c> epochs.</summary>
    [SpecName("step")] Step,
}

/// <summary>The metric the gate checks (<c>gate.metric</c>).</summary>
public enum GateMetric
{
    /// <summary>Top-1 accuracy on the test split (fraction, higher is better).</summary>
    [SpecName("accuracy")] Accuracy,

    /// <summary>Macro-averaged F1 over the labels (fraction, higher is better).</summary>
    [SpecName("macro_f1")] MacroF1,

    /// <summary>False-reject rate at <c>fa_per_hour</c> false accepts per hour (fraction, lower is better).</summary>
    [SpecName("frr_at_fa_per_hour")] FrrAtFaPerHour,
}

/// <summary>The validation metric early stopping watches (<c>finetune.early_stop.metric</c>).</summary>
public enum EarlyStopMetric
{
    /// <summary>Validation accuracy (higher is better).</summary>
    [SpecName("accuracy")] Accuracy,

    /// <summary>Validation macro-F1 (higher is better).</summary>
    [SpecName("macro_f1")] MacroF1,

    /// <summary>Validation loss (lower is better).</summary>
    [SpecName("loss")] Loss,
}

/// <summary><c>device</c>: where training runs.</summary>
public enum ComputeDevice
{
    /// <summary>The CPU.</summary>
    [SpecName("cpu")] Cpu,

    /// <summary>A CUDA GPU (an error when none is available).</summary>
    [SpecName("cuda")] Cuda,

    /// <summary>CUDA when TorchSharp finds it, else the CPU.</summary>
    [SpecName("auto")] Auto,
}
