using Compress.Graph;
using Compress.Pruning.Importance;
using Compress.Pruning.Pruners;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Sensitivity allocation: prunes one eligible layer at a time by magnitude to each sparsity of
/// <see cref="SensitivityBounds.SweepLevels"/> (the band around the target; without fine-tuning), measures the
/// validation loss of the trained head (<see cref="Evaluator"/>; accuracy saturates and moves in steps of one item,
/// the loss does not) and accuracy, restores the layer, and picks per-layer counts inside the band that reach the
/// total exactly with the least predicted loss increase (<see cref="SensitivityBounds.Choose"/>). Deterministic: the
/// same module, data and options give the same points and ratios.
/// </summary>
public static class SensitivityAnalysis
{
    /// <summary>
    /// Returns per-layer sparsity ratios (relative to the target, for <see cref="SparsityAllocator"/>; null when the band
    /// cannot reach the target over <paramref name="names"/>, so the allocation falls back to uniform) and the sweep's points.
    /// </summary>
    public static (IReadOnlyList<double>? Ratios, IReadOnlyList<SensitivityPoint> Points) Allocate(OnnxGraphModule module, IReadOnlyList<string> names, ITrainingData validation, PruningOptions options, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        var (_, baseline) = Evaluator.Evaluate(module, validation, batchSize);
        var levels = SensitivityBounds.SweepLevels(options);
        var points = new List<SensitivityPoint>();
        var losses = new List<IReadOnlyList<double>>();
        foreach (var name in names)
        {
            var p = module.OnnxParameters[name];
            using var saved = p.detach().clone();
            var curve = new double[levels.Count];
            for (var i = 0; i < levels.Count; i++)
            {
                using (var masks = new MaskSet(module.OnnxParameters, [name]))
                {
                    UnstructuredPruner.Prune(masks, [name], MagnitudeImportance.Score(module.OnnxParameters, [name]), levels[i], options with { Scope = PruningScope.PerLayer, MinLayerSparsity = 0, MaxLayerSparsity = 1 });
                }

                var (accuracy, loss) = Evaluator.Evaluate(module, validation, batchSize);
                curve[i] = loss - baseline;
                points.Add(new SensitivityPoint(name, levels[i], accuracy) { Loss = loss });
                using (no_grad())
                {
                    p.copy_(saved);
                }
            }

            losses.Add(curve);
        }

        var sizes = names.Select(n => module.OnnxParameters[n].numel()).ToList();
        var counts = SensitivityBounds.Choose(sizes, levels, losses, options);
        return (counts is null ? null : SensitivityBounds.Ratios(counts, sizes, options.TargetSparsity), points);
    }
}
