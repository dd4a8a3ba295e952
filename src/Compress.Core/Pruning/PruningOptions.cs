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
    ScheduleKind Kind = ScheduleKind.Polynomial,
    double InitialSparsity = 0,
    int BeginEpoch = 0,
    int? EndEpoch = null,
    int FrequencySteps = 50,
    double Power = 3,
    int Rounds = 3);

/// <summary>
/// What is pruned and how much. Prunable tensors are the weight operands of Conv, ConvTranspose, Gemm, MatMul
/// (when an initializer), LSTM and GRU (W and R); never biases or normalisation parameters. A tensor is
/// <em>eligible</em> when it is prunable, matches <see cref="Include"/> (if given) and not <see cref="Exclude"/>
/// (glob patterns with <c>*</c> and <c>?</c>, on the initializer or the node name), and is not protected (with
/// <see cref="ProtectFirstAndLast"/> the first and last prunable nodes in graph order are protected).
/// <see cref="TargetSparsity"/> is the fraction of eligible weights that are exactly zero at the end:
/// round(target × eligible elements) weights in total, each layer within [<see cref="MinLayerSparsity"/>,
/// <see cref="MaxLayerSparsity"/>]. For <see cref="PruningMethod.Channel"/> it is the fraction of each layer's
/// output channels removed (rounded so the kept count is a multiple of <see cref="RoundTo"/>).
/// </summary>
public sealed record PruningOptions(
    PruningMethod Method = PruningMethod.None,
    double TargetSparsity = 0.5,
    PruningScope Scope = PruningScope.PerLayer,
    double MinLayerSparsity = 0,
    double MaxLayerSparsity = 0.99,
    SparsityAllocation Allocation = SparsityAllocation.Uniform,
    IReadOnlyList<string>? Include = null,
    IReadOnlyList<string>? Exclude = null,
    bool ProtectFirstAndLast = true,
    ScheduleOptions? Schedule = null,
    ChannelCriterion ChannelCriterion = ChannelCriterion.L1,
    int RoundTo = 1,
    int GradientBatches = 8,
    double RegularizationLambda = 1e-4,
    int RegularizationEpochs = 2,
    int N = 2,
    int M = 4);
