using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Pruning.Dependency;
using Compress.Pruning.Importance;
using Compress.Pruning.Pruners;
using Compress.Pruning.Regularizers;
using Compress.Pruning.Schedules;
using Compress.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Structured channel pruning inside the fine-tune loop: the <see cref="DependencyGraph"/> gives the coupled
/// groups; on the schedule each group loses its lowest-scoring channels (L1, L2 or Taylor over all its weight
/// slices), which are held at zero by masks while training; <see cref="Shrink"/> then removes them physically.
/// <see cref="PruningOptions.TargetSparsity"/> is the fraction of every prunable group's channels removed
/// (kept counts rounded to <see cref="PruningOptions.RoundTo"/>). With <see cref="ChannelRegularization.GroupLasso"/>
/// the loss also carries λ·<see cref="GroupLasso"/> over the alive channels, on l1/l2's timing (an optional
/// penalty-only phase of <see cref="PruningOptions.RegularizationEpochs"/>, then while the schedule prunes, never in
/// the recovery after the final sparsity), so the channels the schedule cuts carry less when they go.
/// </summary>
public sealed class ChannelPruningHook : ScheduledPruningHook
{
    private readonly OnnxGraphModule _module;
    private readonly PruningOptions _options;
    private readonly FineTuneOptions _fineTune;
    private readonly ITrainingData _train;
    private readonly List<string> _weights;
    private readonly List<string> _reported;
    private readonly GroupLasso? _groupLasso;
    private int _rounds;

    /// <summary>Analyses the module's model and prepares the masks.</summary>
    /// <param name="dependencies">The model's dependency graph when the caller has built it already (<see cref="PruningCheck"/>).</param>
    public ChannelPruningHook(OnnxGraphModule module, PruningOptions options, FineTuneOptions fineTune, ITrainingData train, DependencyGraph? dependencies = null)
    {
        _module = module ?? throw new ArgumentNullException(nameof(module));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _fineTune = fineTune ?? throw new ArgumentNullException(nameof(fineTune));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        Dependencies = dependencies ?? DependencyGraph.Build(module.Model, options);
        Pruner = new ChannelPruner(Dependencies.Prunable.ToList(), Dependencies.SegmentedValues);
        Masks = new MaskSet(module.OnnxParameters, Pruner.MaskedTensors.Where(module.OnnxParameters.ContainsKey));
        var prunable = PrunableWeights.Find(module.Model, options);
        var all = prunable.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        _weights = Pruner.Groups.SelectMany(g => g.Slices).Select(s => s.Tensor).Where(all.Contains).Distinct().Where(module.OnnxParameters.ContainsKey).ToList();
        _reported = prunable.Where(t => t.Status == PrunableStatus.Eligible).Select(t => t.Name).ToList();
        _groupLasso = options.Regularization switch
        {
            ChannelRegularization.GroupLasso => new GroupLasso(Pruner.Groups, _weights),
            ChannelRegularization.None => null,
        };
        Schedule = SparsitySchedule.Create(
            options.Schedule,
            options.TargetSparsity,
            fineTune.Epochs,
            Batches.StepsPerEpoch(train.Count, fineTune.BatchSize),
            _groupLasso is null ? 0 : RegularizationPhase(options.RegularizationEpochs, fineTune.Epochs));
    }

    /// <summary>The channel dependency analysis of the model.</summary>
    public DependencyGraph Dependencies { get; }

    /// <summary>Chooses, masks and finally removes the channels.</summary>
    public ChannelPruner Pruner { get; }

    /// <inheritdoc />
    public override Tensor? Penalty(int epoch)
    {
        if (_groupLasso is null || AtFinalSparsity || _options.RegularizationLambda == 0
            || _groupLasso.Value(_module.OnnxParameters, Pruner.Removed) is not { } value)
        {
            return null;
        }

        using var lambda = _options.RegularizationLambda.ToScalar(); // held through the call (see RootedScalars)
        return value.mul(lambda);
    }

    /// <summary>Removes (masks) channels so every group reaches <paramref name="sparsity"/>; round_to applies at the final sparsity.</summary>
    public override void PruneTo(double sparsity)
    {
        var scores = _options.ChannelCriterion switch
        {
            ChannelCriterion.Taylor => TaylorImportance.Score(_module, _weights, _train, _fineTune.BatchSize, _options.GradientBatches, _fineTune.Seed, _rounds++),
            ChannelCriterion.L2 => MagnitudeImportance.Score(_module.OnnxParameters, _weights).ToDictionary(p => p.Key, p => p.Value.Select(v => v * v).ToArray(), StringComparer.Ordinal),
            ChannelCriterion.L1 => MagnitudeImportance.Score(_module.OnnxParameters, _weights),
        };
        var shapes = _weights.ToDictionary(n => n, n => _module.OnnxParameters[n].shape, StringComparer.Ordinal);
        Pruner.Prune(sparsity, sparsity >= Schedule.Final ? _options.RoundTo : 1, scores, shapes, Masks);
        Sparsity = sparsity;
    }

    /// <summary>
    /// Sets to zero, in the module's parameters, every element <see cref="Shrink"/> will cut out: the masked slices
    /// (zero already) and the unmasked ones, such as a removed channel's input columns in the layer that reads it.
    /// </summary>
    public void ZeroCut() => Pruner.ZeroCut(_module.OnnxParameters);

    /// <summary>The physically shrunk model and the removed fraction of each eligible prunable tensor.</summary>
    public (ModelProto Model, IReadOnlyList<TensorSparsity> Layers) Shrink(ModelProto original, IReadOnlyDictionary<string, Tensor> weights) =>
        Pruner.Shrink(original, weights, _reported);
}
