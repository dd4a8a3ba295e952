using Compress.Pruning;

namespace Compress.Spec;

/// <summary>
/// <c>pruning:</c> what is pruned, how much, and when. Sparsity is always the fraction of the prunable weights
/// (weights of Conv, ConvTranspose, Gemm, MatMul with an initializer operand, LSTM, GRU that pass
/// include/exclude and the first/last protection; never biases or normalisation parameters) that are exactly
/// zero at the end.
/// </summary>
public sealed record PruningSpec
{
    /// <summary>The method. Default <see cref="PruningMethod.None"/> when <c>pruning:</c> is absent, else <see cref="PruningMethod.Magnitude"/>.</summary>
    public PruningMethod Method { get; init; } = PruningMethod.None;

    /// <summary>The target; null for <c>none</c> and <c>n:m</c> (whose sparsity is 1 − n/m).</summary>
    public SparsityTarget? TargetSparsity { get; init; }

    /// <summary>Per-layer or global thresholds. Default <see cref="PruningScope.PerLayer"/>.</summary>
    public PruningScope Scope { get; init; } = PruningOptions.DefaultScope;

    /// <summary>Lowest sparsity any prunable layer ends with, in [0, 1). Default 0.</summary>
    public double MinLayerSparsity { get; init; } = PruningOptions.DefaultMinLayerSparsity;

    /// <summary>Highest sparsity any prunable layer may reach, in [0, 1), ≥ min. Default <see cref="PruningOptions.DefaultMaxLayerSparsity"/> (0.98).</summary>
    public double MaxLayerSparsity { get; init; } = PruningOptions.DefaultMaxLayerSparsity;

    /// <summary>How per-layer targets are chosen. Default <see cref="SparsityAllocation.Uniform"/>.</summary>
    public SparsityAllocation Allocation { get; init; } = PruningOptions.DefaultAllocation;

    /// <summary>
    /// <c>sensitivity</c> only: how far, in sparsity, a layer may end from the target, in [0, 1]; a layer also keeps at
    /// least half its uniform density. Default <see cref="PruningOptions.DefaultSensitivityBand"/> (0.15).
    /// </summary>
    public double SensitivityBand { get; init; } = PruningOptions.DefaultSensitivityBand;

    /// <summary>Glob patterns (<c>*</c>, <c>?</c>) on initializer or node names; empty = every prunable weight.</summary>
    public ValueList<string> Include { get; init; } = [];

    /// <summary>Glob patterns on initializer or node names never pruned (applied after <see cref="Include"/>).</summary>
    public ValueList<string> Exclude { get; init; } = [];

    /// <summary>Leave the first and the last prunable layer dense. Default true.</summary>
    public bool ProtectFirstLast { get; init; } = PruningOptions.DefaultProtectFirstAndLast;

    /// <summary>When sparsity grows.</summary>
    public ScheduleSpec Schedule { get; init; } = new();

    /// <summary>Channel scoring for <c>channel</c>. Default <see cref="ChannelCriterion.L1"/>.</summary>
    public ChannelCriterion ChannelCriterion { get; init; } = PruningOptions.DefaultChannelCriterion;

    /// <summary>Kept channel counts are rounded to a multiple of this (<c>channel</c>), ≥ 1. Default 1.</summary>
    public int RoundTo { get; init; } = PruningOptions.DefaultRoundTo;

    /// <summary>Batches over which gradient saliency is accumulated (<c>gradient</c>, <c>taylor</c>) and <see cref="Reconstruct"/> gathers layer inputs, ≥ 1. Default <see cref="PruningOptions.DefaultGradientBatches"/> (16).</summary>
    public int GradientBatches { get; init; } = PruningOptions.DefaultGradientBatches;

    /// <summary>
    /// Re-solve each layer's kept weights by least squares after every pruning step, so its output on
    /// <see cref="GradientBatches"/> training batches changes least (unstructured methods). Default
    /// <see cref="PruningOptions.DefaultReconstruct"/> (false).
    /// </summary>
    public bool Reconstruct { get; init; } = PruningOptions.DefaultReconstruct;

    /// <summary>The penalty of <c>channel</c> while it prunes. Default <see cref="ChannelRegularization.None"/>.</summary>
    public ChannelRegularization Regularization { get; init; } = PruningOptions.DefaultRegularization;

    /// <summary>Regularisation strength λ for <c>l1</c>/<c>l2</c> and <c>channel</c> with <c>group-lasso</c>, &gt; 0. Default <see cref="PruningOptions.DefaultRegularizationLambda"/>.</summary>
    public double Lambda { get; init; } = PruningOptions.DefaultRegularizationLambda;

    /// <summary>Penalty-only epochs before the schedule (<c>l1</c>/<c>l2</c>, <c>group-lasso</c>), ≥ 0, out of the fine-tuning budget (capped to leave the schedule and one recovery epoch); the penalty also runs while the schedule prunes. Default <see cref="PruningOptions.DefaultRegularizationEpochs"/> (0).</summary>
    public int RegularizationEpochs { get; init; } = PruningOptions.DefaultRegularizationEpochs;

    /// <summary>Non-zero weights kept in every group of <see cref="M"/> (<c>n:m</c>), in [1, m). Default 2.</summary>
    public int N { get; init; } = PruningOptions.DefaultN;

    /// <summary>Group size for <c>n:m</c>, in [2, 64]. Default 4.</summary>
    public int M { get; init; } = PruningOptions.DefaultM;

    /// <summary>Default <see cref="MaxTrials"/>: 6 full runs (a spec-only setting; the engine runs once).</summary>
    public const int DefaultMaxTrials = 6;

    /// <summary>Largest number of full runs the <c>target_sparsity: max</c> search makes, in [1, 50]. Default <see cref="DefaultMaxTrials"/>.</summary>
    public int MaxTrials { get; init; } = DefaultMaxTrials;

    /// <summary>Where the <c>pruning:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}

/// <summary>
/// <c>pruning.target_sparsity</c>: a fraction in [0, 1) of prunable weights that end exactly zero, or <c>max</c>
/// (search, within <c>max_trials</c> runs, for the highest sparsity that still passes the gate).
/// </summary>
public sealed record SparsityTarget
{
    private SparsityTarget(double? fraction) => Fraction = fraction;

    /// <summary><c>max</c>: search for the highest sparsity that passes the gate.</summary>
    public static SparsityTarget Max { get; } = new((double?)null);

    /// <summary>The fraction in [0, 1); null for <see cref="Max"/>.</summary>
    public double? Fraction { get; }

    /// <summary>True for <c>max</c>.</summary>
    public bool IsMax => Fraction is null;

    /// <summary>A fixed target.</summary>
    public static SparsityTarget Of(double fraction) =>
        fraction is >= 0 and < 1 ? new SparsityTarget(fraction) : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "sparsity must be in [0, 1)");

    /// <summary><c>max</c> or the fraction.</summary>
    public override string ToString() => Fraction is double f ? f.ToString(System.Globalization.CultureInfo.InvariantCulture) : "max";
}

/// <summary><c>pruning.schedule:</c> when sparsity grows. Epochs are 0-based indices of fine-tuning epochs.</summary>
public sealed record ScheduleSpec
{
    /// <summary>The schedule. Default <see cref="ScheduleKind.Polynomial"/>.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleOptions.DefaultKind;

    /// <summary>Sparsity when pruning begins (polynomial s_i), in [0, target]. Default 0.</summary>
    public double InitialSparsity { get; init; } = ScheduleOptions.DefaultInitialSparsity;

    /// <summary>First epoch at which pruning happens (polynomial), ≥ 0. Default 0.</summary>
    public int BeginEpoch { get; init; } = ScheduleOptions.DefaultBeginEpoch;

    /// <summary>Epoch at which the target is reached (polynomial), in (begin_epoch, finetune.epochs]. Default ⌈0.75 × epochs⌉ (at least begin_epoch + 1).</summary>
    public int EndEpoch { get; init; }

    /// <summary>Optimizer steps between mask updates (polynomial), ≥ 1. Default <see cref="ScheduleOptions.DefaultFrequencySteps"/> (100).</summary>
    public int FrequencySteps { get; init; } = ScheduleOptions.DefaultFrequencySteps;

    /// <summary>Exponent of the polynomial, &gt; 0. Default 3 (Zhu &amp; Gupta's cubic).</summary>
    public double Power { get; init; } = ScheduleOptions.DefaultPower;

    /// <summary>Prune → fine-tune rounds (iterative), in [1, finetune.epochs]. Default 3.</summary>
    public int Rounds { get; init; } = ScheduleOptions.DefaultRounds;

    /// <summary>
    /// The <c>end_epoch</c> used when the spec gives none: ⌈0.75 × <paramref name="epochs"/>⌉, at least
    /// <paramref name="beginEpoch"/> + 1 and at most <paramref name="epochs"/> (0-based epoch indices).
    /// </summary>
    public static int DefaultEndEpoch(int beginEpoch, int epochs) => Math.Min(epochs, Math.Max(beginEpoch + 1, (int)Math.Ceiling(0.75 * epochs)));

    /// <summary>Where the <c>schedule:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
