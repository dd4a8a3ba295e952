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
/// With <see cref="PruningOptions.Reconstruct"/>, every step's cut is followed by a least-squares re-solve of each
/// layer's kept weights (<see cref="LayerReconstruction"/>).
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
        _reconstructable = options.Reconstruct ? LayerReconstruction.Find(module, names) : new Dictionary<string, ReconstructableLayer>();
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
    /// Prunes the eligible weights to <paramref name="sparsity"/> now; with <see cref="PruningOptions.Reconstruct"/>,
    /// then re-solves every reconstructable layer from its weights before this step's cut, on the inputs it saw on this
    /// round's calibration batches (gathered before the cut).
    /// </summary>
    public override void PruneTo(double sparsity)
    {
        using var scope = NewDisposeScope();
        var hessians = _reconstructable.Count == 0 ? null
            : LayerReconstruction.Hessians(_module, _reconstructable, _train, _fineTune.BatchSize, _options.GradientBatches, _fineTune.Seed, _rounds);
        try
        {
            var before = _reconstructable.Keys.ToDictionary(n => n, n => _module.OnnxParameters[n].detach().clone(), StringComparer.Ordinal);
            Cut(sparsity);
            if (hessians is not null)
            {
                using var noGrad = no_grad();
                foreach (var (name, layer) in _reconstructable)
                {
                    _module.OnnxParameters[name].copy_(LayerReconstruction.Reconstruct(layer, before[name], Masks[name], hessians[name]));
                }
            }
        }
        finally
        {
            foreach (var h in hessians?.Values ?? Enumerable.Empty<Tensor>())
            {
                h.Dispose();
            }
        }
    }

    /// <summary>Sets the masks for <paramref name="sparsity"/> by the method's scores (zeroing the pruned weights) and <see cref="ScheduledPruningHook.Sparsity"/>.</summary>
    private void Cut(double sparsity)
    {
        if (_options.Method == PruningMethod.NM)
        {
            NmPruner.Prune(Masks, _names, MagnitudeImportance.Score(_module.OnnxParameters, _names), _options.N, _options.M, _module.Model);
            Sparsity = Schedule.Final;
            return;
        }

        var scores = _options.Method == PruningMethod.Gradient
            ? TaylorImportance.Score(_module, _names, _train, _fineTune.BatchSize, _options.GradientBatches, _fineTune.Seed, _rounds)
            : MagnitudeImportance.Score(_module.OnnxParameters, _names);
        _rounds++;
        UnstructuredPruner.Prune(Masks, _names, scores, sparsity, _options, _ratios);
        Sparsity = sparsity;
    }
}
