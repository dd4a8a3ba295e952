namespace Compress.Pruning;

/// <summary>How weights are chosen for removal (<c>pruning.method</c>).</summary>
public enum PruningMethod
{
    /// <summary>No pruning: train or fine-tune only.</summary>
    [SpecName("none")] None,

    /// <summary>Unstructured: remove the smallest |w|.</summary>
    [SpecName("magnitude")] Magnitude,

    /// <summary>Unstructured: remove the smallest first-order Taylor saliency |w·∂L/∂w|, accumulated over <see cref="PruningOptions.GradientBatches"/> batches.</summary>
    [SpecName("gradient")] Gradient,

    /// <summary>A phase with λ·‖w‖₁ added to the loss, then magnitude pruning.</summary>
    [SpecName("l1")] L1,

    /// <summary>A phase with λ·‖w‖₂² added to the loss, then magnitude pruning.</summary>
    [SpecName("l2")] L2,

    /// <summary>Structured: remove whole output channels / neurons / hidden units, physically.</summary>
    [SpecName("channel")] Channel,

    /// <summary>Semi-structured: in every group of <see cref="PruningOptions.M"/> consecutive input weights keep the <see cref="PruningOptions.N"/> largest.</summary>
    [SpecName("n:m")] NM,
}

/// <summary>Whether the target applies to each layer or to all prunable weights together.</summary>
public enum PruningScope
{
    /// <summary>Every layer reaches the target (within its min/max bounds).</summary>
    [SpecName("per-layer")] PerLayer,

    /// <summary>One threshold over all prunable weights; layers end up with different sparsities.</summary>
    [SpecName("global")] Global,
}

/// <summary>How the total target is split over layers.</summary>
public enum SparsityAllocation
{
    /// <summary>The same sparsity for every layer.</summary>
    [SpecName("uniform")] Uniform,

    /// <summary>Per-layer targets from a sensitivity sweep on the validation data (least predicted loss).</summary>
    [SpecName("sensitivity")] Sensitivity,

    /// <summary>
    /// One threshold over layer-normalised scores (LAMP, Lee et al., ICLR 2021): a weight's score squared over the sum of
    /// the squares of its layer's scores at or above it, so a layer's sparsity does not depend on the scale of its
    /// weights (a BatchNorm folded into a Conv by the exporter rescales it) and every layer keeps its largest weight.
    /// </summary>
    [SpecName("lamp")] Lamp,
}

/// <summary>How a channel's importance is scored for structured pruning.</summary>
public enum ChannelCriterion
{
    /// <summary>Sum of |w| over the channel's coupled weights.</summary>
    [SpecName("l1")] L1,

    /// <summary>Sum of w² over the channel's coupled weights.</summary>
    [SpecName("l2")] L2,

    /// <summary>Sum of |w·∂L/∂w| over the channel's coupled weights.</summary>
    [SpecName("taylor")] Taylor,
}

/// <summary>The penalty added to the loss while <see cref="PruningMethod.Channel"/> prunes (<c>pruning.regularization</c>).</summary>
public enum ChannelRegularization
{
    /// <summary>No penalty: the loss is the task loss.</summary>
    [SpecName("none")] None,

    /// <summary>
    /// Group lasso: λ·Σ over the alive channels of every group of ‖the channel's weights‖₂, over the same slices the
    /// criterion scores (Wen et al. 2016, unscaled), until the schedule reaches its final sparsity.
    /// </summary>
    [SpecName("group-lasso")] GroupLasso,
}

/// <summary>When pruning happens and how the sparsity grows (<c>pruning.schedule</c>).</summary>
public enum ScheduleKind
{
    /// <summary>Prune to the target once, at <see cref="ScheduleOptions.BeginEpoch"/>, then fine-tune.</summary>
    [SpecName("one-shot")] OneShot,

    /// <summary>Zhu &amp; Gupta: s_t = s_f + (s_i − s_f)(1 − (t − t₀)/(t_end − t₀))^power, updated every <see cref="ScheduleOptions.FrequencySteps"/> steps.</summary>
    [SpecName("polynomial")] Polynomial,

    /// <summary><see cref="ScheduleOptions.Rounds"/> rounds of prune → fine-tune; each round removes the same fraction of the remaining weights.</summary>
    [SpecName("iterative")] Iterative,
}

/// <summary>
/// The pruning schedule. Epoch numbers are 0-based epoch starts; <see cref="EndEpoch"/> null means three quarters
/// of the way through training (rounded, at least one epoch after <see cref="BeginEpoch"/>, at most the last
/// epoch's end). Sparsities are fractions of the eligible weights.
/// </summary>
public sealed record ScheduleOptions(
    ScheduleKind Kind = ScheduleOptions.DefaultKind,
    double InitialSparsity = ScheduleOptions.DefaultInitialSparsity,
    int BeginEpoch = ScheduleOptions.DefaultBeginEpoch,
    int? EndEpoch = null,
    int FrequencySteps = ScheduleOptions.DefaultFrequencySteps,
    double Power = ScheduleOptions.DefaultPower,
    int Rounds = ScheduleOptions.DefaultRounds)
{
    // The defaults below are the only copies: the spec parser, SpecTemplate (`init`) and docs/compress-yaml.md use
    // or are tested against them (SpecDefaultsTests).

    /// <summary>Default <see cref="Kind"/> (<c>pruning.schedule.kind</c>): polynomial.</summary>
    public const ScheduleKind DefaultKind = ScheduleKind.Polynomial;

    /// <summary>Default <see cref="InitialSparsity"/> s_i (fraction of eligible weights): 0.</summary>
    public const double DefaultInitialSparsity = 0;

    /// <summary>Default <see cref="BeginEpoch"/> t₀ (0-based epoch): 0.</summary>
    public const int DefaultBeginEpoch = 0;

    /// <summary>Default <see cref="FrequencySteps"/> (optimizer steps between mask updates): 100.</summary>
    public const int DefaultFrequencySteps = 100;

    /// <summary>Default <see cref="Power"/> (exponent of the polynomial ramp): 3, Zhu &amp; Gupta's cubic.</summary>
    public const double DefaultPower = 3;

    /// <summary>Default <see cref="Rounds"/> (prune → fine-tune rounds of the iterative schedule): 3.</summary>
    public const int DefaultRounds = 3;
}

/// <summary>
/// What is pruned and how much. Prunable tensors are the weight operands of Conv, ConvTranspose, Gemm, MatMul
/// (when an initializer), LSTM and GRU (W and R); never biases or normalisation parameters. A tensor is
/// <em>eligible</em> when it is prunable, matches <see cref="Include"/> (if given) and not <see cref="Exclude"/>
/// (glob patterns with <c>*</c> and <c>?</c>, on the initializer or the node name), and is not protected (with
/// <see cref="ProtectFirstAndLast"/> the first and last prunable nodes in graph order are protected).
/// <see cref="TargetSparsity"/> is the fraction of eligible weights that are exactly zero at the end:
/// round(target × eligible elements) weights in total, each layer within [<see cref="MinLayerSparsity"/>,
/// <see cref="MaxLayerSparsity"/>]. For <see cref="PruningMethod.Channel"/> it is the fraction of each layer's
/// output channels removed (rounded so the kept count is a multiple of <see cref="RoundTo"/>). With
/// <see cref="SparsityAllocation.Sensitivity"/> every layer also stays within <see cref="SensitivityBand"/> of the
/// target (<see cref="SensitivityBounds"/>).
/// </summary>
public sealed record PruningOptions(
    PruningMethod Method = PruningMethod.None,
    double TargetSparsity = PruningOptions.DefaultTargetSparsity,
    PruningScope Scope = PruningOptions.DefaultScope,
    double MinLayerSparsity = PruningOptions.DefaultMinLayerSparsity,
    double MaxLayerSparsity = PruningOptions.DefaultMaxLayerSparsity,
    SparsityAllocation Allocation = PruningOptions.DefaultAllocation,
    IReadOnlyList<string>? Include = null,
    IReadOnlyList<string>? Exclude = null,
    bool ProtectFirstAndLast = PruningOptions.DefaultProtectFirstAndLast,
    ScheduleOptions? Schedule = null,
    ChannelCriterion ChannelCriterion = PruningOptions.DefaultChannelCriterion,
    int RoundTo = PruningOptions.DefaultRoundTo,
    int GradientBatches = PruningOptions.DefaultGradientBatches,
    double RegularizationLambda = PruningOptions.DefaultRegularizationLambda,
    int RegularizationEpochs = PruningOptions.DefaultRegularizationEpochs,
    int N = PruningOptions.DefaultN,
    int M = PruningOptions.DefaultM,
    double SensitivityBand = PruningOptions.DefaultSensitivityBand,
    ChannelRegularization Regularization = PruningOptions.DefaultRegularization,
    bool Reconstruct = PruningOptions.DefaultReconstruct)
{
    // The defaults below are the only copies: the spec parser, the spec records, SpecTemplate (`init`) and
    // docs/compress-yaml.md use or are tested against them (SpecDefaultsTests).

    /// <summary>Default <see cref="TargetSparsity"/> (fraction of eligible weights): 0.5. Also where the <c>target_sparsity: max</c> search starts.</summary>
    public const double DefaultTargetSparsity = 0.5;

    /// <summary>Default <see cref="Scope"/> (<c>pruning.scope</c>): per layer.</summary>
    public const PruningScope DefaultScope = PruningScope.PerLayer;

    /// <summary>Default <see cref="MinLayerSparsity"/> (fraction of a layer's weights): 0.</summary>
    public const double DefaultMinLayerSparsity = 0;

    /// <summary>Default <see cref="MaxLayerSparsity"/> (fraction of a layer's weights): 0.98, so every layer keeps at least 2% of its weights.</summary>
    public const double DefaultMaxLayerSparsity = 0.98;

    /// <summary>Default <see cref="Allocation"/> (<c>pruning.allocation</c>): uniform.</summary>
    public const SparsityAllocation DefaultAllocation = SparsityAllocation.Uniform;

    /// <summary>Default <see cref="ProtectFirstAndLast"/>: true (the first and last prunable layers stay dense).</summary>
    public const bool DefaultProtectFirstAndLast = true;

    /// <summary>Default <see cref="ChannelCriterion"/> (<c>pruning.channel_criterion</c>): L1.</summary>
    public const ChannelCriterion DefaultChannelCriterion = ChannelCriterion.L1;

    /// <summary>Default <see cref="RoundTo"/> (kept channel counts are a multiple of it): 1.</summary>
    public const int DefaultRoundTo = 1;

    /// <summary>Default <see cref="GradientBatches"/> (training batches the Taylor saliency is accumulated over, and <see cref="Reconstruct"/> gathers the layer inputs from): 16.</summary>
    public const int DefaultGradientBatches = 16;

    /// <summary>
    /// Default <see cref="RegularizationLambda"/> λ (weight of the L1/L2 or group-lasso penalty in the loss): 3e-4, chosen on the
    /// sample's validation split over 1e-4, 3e-4 and 1e-3 (docs/pruning.md, "Choosing λ").
    /// </summary>
    public const double DefaultRegularizationLambda = 3e-4;

    /// <summary>
    /// Default <see cref="RegularizationEpochs"/> (penalty-only epochs of L1/L2 or group lasso before the schedule starts, out of the
    /// fine-tuning budget; the penalty also runs while the schedule prunes): 0.
    /// </summary>
    public const int DefaultRegularizationEpochs = 0;

    /// <summary>Default <see cref="Regularization"/> (<c>pruning.regularization</c>, <c>channel</c> only): none.</summary>
    public const ChannelRegularization DefaultRegularization = ChannelRegularization.None;

    /// <summary>
    /// Default <see cref="Reconstruct"/> (<c>pruning.reconstruct</c>, unstructured methods): false. When true, after every
    /// pruning step each layer's kept weights are re-solved by least squares so its output on
    /// <see cref="GradientBatches"/> training batches changes least (<see cref="Pruners.LayerReconstruction"/>).
    /// </summary>
    public const bool DefaultReconstruct = false;

    /// <summary>Default <see cref="N"/> (non-zeros kept per group of <see cref="M"/>): 2.</summary>
    public const int DefaultN = 2;

    /// <summary>Default <see cref="M"/> (group size of n:m sparsity): 4.</summary>
    public const int DefaultM = 4;

    /// <summary>
    /// Default <see cref="SensitivityBand"/> (fraction of a layer's weights): 0.15, so <c>allocation: sensitivity</c>
    /// keeps every layer within 15 points of the uniform target (and never below half its uniform density;
    /// <see cref="SensitivityBounds"/>).
    /// </summary>
    public const double DefaultSensitivityBand = 0.15;
}
