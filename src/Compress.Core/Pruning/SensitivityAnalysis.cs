using Compress.Graph;
using Compress.Pruning.Importance;
using Compress.Pruning.Pruners;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Sensitivity allocation: prunes one eligible layer at a time by magnitude to each of <see cref="Levels"/>
/// (without fine-tuning), measures validation accuracy with the executor, restores the layer, and then picks
/// per-layer sparsities that reach the total target with the least predicted accuracy loss (greedy in steps of
/// 1 %, the loss of a layer interpolated linearly between measured levels and made non-decreasing).
/// </summary>
public static class SensitivityAnalysis
{
    /// <summary>The sparsities each layer is measured at.</summary>
    public static readonly IReadOnlyList<double> Levels = [0.25, 0.5, 0.75, 0.9];

    /// <summary>Returns per-layer sparsity ratios (relative to the target, for <see cref="SparsityAllocator"/>) and the sweep's points.</summary>
    public static (IReadOnlyList<double> Ratios, IReadOnlyList<SensitivityPoint> Points) Allocate(OnnxGraphModule module, IReadOnlyList<string> names, ITrainingData validation, PruningOptions options, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        var baseline = Evaluator.Evaluate(module, validation, batchSize).Accuracy;
        var points = new List<SensitivityPoint>();
        var drops = new List<double[]>();
        var levels = Levels.Where(l => l <= options.MaxLayerSparsity).Append(options.MaxLayerSparsity).Distinct().OrderBy(l => l).ToArray();
        foreach (var name in names)
        {
            var p = module.OnnxParameters[name];
            using var saved = p.detach().clone();
            var curve = new double[levels.Length];
            var worst = 0.0;
            for (var i = 0; i < levels.Length; i++)
            {
                using (var masks = new MaskSet(module.OnnxParameters, [name]))
                {
                    UnstructuredPruner.Prune(masks, [name], MagnitudeImportance.Score(module.OnnxParameters, [name]), levels[i], options with { Scope = PruningScope.PerLayer, MinLayerSparsity = 0 });
                }

                var accuracy = Evaluator.Evaluate(module, validation, batchSize).Accuracy;
                worst = Math.Max(worst, baseline - accuracy);
                curve[i] = worst;
                points.Add(new SensitivityPoint(name, levels[i], accuracy));
                using (no_grad())
                {
                    p.copy_(saved);
                }
            }

            drops.Add(curve);
        }

        var sizes = names.Select(n => module.OnnxParameters[n].numel()).ToArray();
        var total = sizes.Sum();
        var target = options.TargetSparsity * total;
        var s = names.Select(_ => options.MinLayerSparsity).ToArray();
        const double delta = 0.01;
        double Drop(int layer, double sparsity)
        {
            var curve = drops[layer];
            var previousLevel = 0.0;
            var previousDrop = 0.0;
            for (var i = 0; i < levels.Length; i++)
            {
                if (sparsity <= levels[i])
                {
                    return previousDrop + ((curve[i] - previousDrop) * (sparsity - previousLevel) / (levels[i] - previousLevel));
                }

                (previousLevel, previousDrop) = (levels[i], curve[i]);
            }

            return previousDrop;
        }

        while (Enumerable.Range(0, s.Length).Sum(i => s[i] * sizes[i]) < target)
        {
            var best = -1;
            var bestCost = double.PositiveInfinity;
            for (var i = 0; i < s.Length; i++)
            {
                if (s[i] + delta > options.MaxLayerSparsity + 1e-9)
                {
                    continue;
                }

                // Cost per pruned weight, plus a small term that spreads sparsity when the sweep sees no loss.
                var cost = ((Drop(i, s[i] + delta) - Drop(i, s[i])) / (delta * sizes[i])) + (1e-9 * s[i]);
                if (cost < bestCost)
                {
                    (best, bestCost) = (i, cost);
                }
            }

            if (best < 0)
            {
                break;
            }

            s[best] += delta;
        }

        var ratios = s.Select(v => options.TargetSparsity > 0 ? v / options.TargetSparsity : 1).ToList();
        return (ratios, points);
    }
}
