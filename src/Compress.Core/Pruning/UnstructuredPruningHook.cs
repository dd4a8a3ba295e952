using Compress.Graph;
using Compress.Graph.Operators;
using Compress.Pruning.Importance;
using Compress.Pruning.Pruners;
using Compress.Pruning.Schedules;
using Compress.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Unstructured pruning inside the fine-tune loop (magnitude, gradient, L1, L2, n:m): prunes the eligible weights
/// whenever the schedule asks, keeps them at zero after every optimizer step, and for L1/L2 adds λ·Σ|w| or λ·Σw² of
/// the eligible weights to the loss until the schedule reaches its final sparsity — during an optional penalty-only
/// phase of <see cref="PruningOptions.RegularizationEpochs"/> epochs and then while the schedule prunes — so the
/// regulariser pushes the weights the schedule is about to cut toward zero, and the recovery epochs after it train
/// without the penalty. The phase comes out of the fine-tuning budget and never takes the epochs the schedule and one
/// recovery epoch need (<see cref="ScheduledPruningHook.RegularizationPhase"/>): at the same budget L1/L2 prune on magnitude's schedule.
/// </summary>
public sealed class UnstructuredPruningHook : ScheduledPruningHook
{
    private readonly OnnxGraphModule _module;
    private readonly IReadOnlyList<string> _names;
    private readonly PruningOptions _options;
    private readonly ITrainingData _train;
    private readonly FineTuneOptions _fineTune;
    private readonly IReadOnlyList<double>? _ratios;
    private readonly IReadOnlyDictionary<string, ReconstructableLayer> _reconstructable;
    private int _rounds;

    /// <param name="ratios">Relative per-layer sparsities from sensitivity allocation, or null for uniform.</param>
    public UnstructuredPruningHook(OnnxGraphModule module, IReadOnlyList<string> names, PruningOptions options, FineTuneOptions fineTune, ITrainingData train, IReadOnlyList<double>? ratios = null)
    {
        _module = module ?? throw new ArgumentNullException(nameof(module));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _fineTune = fineTune ?? throw new ArgumentNullException(nameof(fineTune));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _ratios = ratios;
        Masks = new MaskSet(module.OnnxParameters, names);
        _reconstructable = options.Method == PruningMethod.Obs ? LayerReconstruction.Find(module, names) : new Dictionary<string, ReconstructableLayer>();
        var regularised = options.Method is PruningMethod.L1 or PruningMethod.L2;
        Schedule = SparsitySchedule.Create(
            options.Method == PruningMethod.NM ? (options.Schedule ?? new ScheduleOptions()) with { Kind = ScheduleKind.OneShot } : options.Schedule,
            FinalSparsity(options),
            fineTune.Epochs,
            Batches.StepsPerEpoch(train.Count, fineTune.BatchSize),
            regularised ? RegularizationPhase(options.RegularizationEpochs, fineTune.Epochs) : 0);
    }

    /// <summary>The sparsity the run ends at: the target, or (M − N)/M for n:m.</summary>
    public static double FinalSparsity(PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Method == PruningMethod.NM ? (double)(options.M - options.N) / options.M : options.TargetSparsity;
    }


    /// <inheritdoc />
    public override Tensor? Penalty(int epoch)
    {
        if (_options.Method is not (PruningMethod.L1 or PruningMethod.L2) || AtFinalSparsity || _options.RegularizationLambda == 0)
        {
            return null;
        }

        Tensor? sum = null;
        foreach (var name in _names)
        {
            var p = _module.OnnxParameters[name];
            var term = _options.Method == PruningMethod.L1 ? p.abs().sum() : p.square().sum();
            sum = sum is null ? term : sum.Plus(term);
        }

        if (sum is null)
        {
            return null;
        }

        using var lambda = _options.RegularizationLambda.ToScalar(); // held through the call (see RootedScalars)
        return sum.mul(lambda);
    }

    /// <summary>
    /// With <see cref="PruningMethod.Obs"/>: the weights whose layer is re-solved after every pruning step
    /// (<see cref="LayerReconstruction.Find"/>); the other eligible weights are scored by magnitude. Empty otherwise.
    /// </summary>
    public IReadOnlyCollection<string> Reconstructed => _reconstructable.Keys.ToList();

    /// <summary>Prunes the eligible weights to <paramref name="sparsity"/> now.</summary>
    public override void PruneTo(double sparsity)
    {
        if (_options.Method == PruningMethod.Obs)
        {
            PruneAndReconstruct(sparsity);
            return;
        }

        if (_options.Method == PruningMethod.NM)
        {
            NmPruner.Prune(Masks, _names, MagnitudeImportance.Score(_module.OnnxParameters, _names), _options.N, _options.M, _module.Model);
            Sparsity = Schedule.Final;
            return;
        }

        var scores = _options.Method == PruningMethod.Gradient
            ? TaylorImportance.Score(_module, _names, _train, _fineTune.BatchSize, _options.GradientBatches, _fineTune.Seed, _rounds++)
            : MagnitudeImportance.Score(_module.OnnxParameters, _names);
        UnstructuredPruner.Prune(Masks, _names, scores, sparsity, _options, _ratios);
        Sparsity = sparsity;
    }

    /// <summary>
    /// Layer-wise OBS: H from the calibration batches of this round, scores w²/[H⁻¹]ⱼⱼ (magnitude where a layer has no
    /// single linear input), the masks as for any unstructured method, then each reconstructable layer re-solved from
    /// its weights before this step's cut.
    /// </summary>
    private void PruneAndReconstruct(double sparsity)
    {
        using var scope = NewDisposeScope();
        var hessians = LayerReconstruction.Hessians(_module, _reconstructable, _train, _fineTune.BatchSize, _options.GradientBatches, _fineTune.Seed, _rounds++);
        try
        {
            var magnitude = MagnitudeImportance.Score(_module.OnnxParameters, _names.Where(n => !_reconstructable.ContainsKey(n)).ToList());
            var scores = new Dictionary<string, float[]>(magnitude, StringComparer.Ordinal);
            var before = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, layer) in _reconstructable)
            {
                var weight = _module.OnnxParameters[name].detach().clone();
                before[name] = weight;
                scores[name] = LayerReconstruction.Saliency(layer, weight, hessians[name]);
            }

            UnstructuredPruner.Prune(Masks, _names, scores, sparsity, _options, _ratios);
            using var noGrad = no_grad();
            foreach (var (name, layer) in _reconstructable)
            {
                _module.OnnxParameters[name].copy_(LayerReconstruction.Reconstruct(layer, before[name], Masks[name], hessians[name]));
            }
        }
        finally
        {
            foreach (var h in hessians.Values)
            {
                h.Dispose();
            }
        }

        Sparsity = sparsity;
    }
}
