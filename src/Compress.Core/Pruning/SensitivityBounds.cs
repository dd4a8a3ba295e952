namespace Compress.Pruning;

/// <summary>
/// The band <c>allocation: sensitivity</c> keeps every layer in, and the greedy choice of per-layer counts inside it.
/// For the target t and band b (<see cref="PruningOptions.SensitivityBand"/>), both fractions of weights, a layer ends
/// with a sparsity in [max(min_layer_sparsity, t − b), min(max_layer_sparsity, t + b, (1 + t) / 2)]. The last bound
/// keeps at least half the weights uniform pruning would leave in the layer: at high targets one point of sparsity
/// is a large share of what is left (t = 0.8: at most 0.9, so the layer keeps 10 % instead of 20 %, not 5 %). In whole
/// weights a layer of n elements gets a count in [⌊low·n⌋, ⌈high·n⌉] clamped to [⌈min·n⌉, ⌊max·n⌋]: within one weight
/// of the band and always inside min/max_layer_sparsity.
/// </summary>
public static class SensitivityBounds
{
    /// <summary>The sparsities every layer is measured at when the band lets the layer reach them.</summary>
    public static readonly IReadOnlyList<double> Levels = [0.25, 0.5, 0.75, 0.9];

    /// <summary>Greedy step: a hundredth of a layer's weights (at least one) at a time.</summary>
    private const double Step = 0.01;

    /// <summary>The lowest and highest sparsity (fractions of a layer's weights) any layer may end with.</summary>
    public static (double Low, double High) Band(PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var t = options.TargetSparsity;
        var high = Math.Min(options.MaxLayerSparsity, Math.Min(t + options.SensitivityBand, (1 + t) / 2));
        var low = Math.Max(options.MinLayerSparsity, t - options.SensitivityBand);
        return (Math.Min(low, high), high);
    }

    /// <summary>Per layer of <paramref name="sizes"/> elements, the fewest and most weights the band lets it prune.</summary>
    public static (long Low, long High)[] Counts(IReadOnlyList<long> sizes, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var (low, high) = Band(options);
        return [.. sizes.Select(n =>
        {
            var hi = Math.Min((long)Math.Floor((options.MaxLayerSparsity * n) + 1e-9), (long)Math.Ceiling((high * n) - 1e-9));
            var lo = Math.Max((long)Math.Ceiling((options.MinLayerSparsity * n) - 1e-9), (long)Math.Floor((low * n) + 1e-9));
            return (Math.Min(lo, hi), hi);
        })];
    }

    /// <summary>The weights the target prunes in total: round(t × Σ sizes), half away from zero (as <see cref="Pruners.SparsityAllocator"/>).</summary>
    public static long Target(IReadOnlyList<long> sizes, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        return (long)Math.Round(sparsity * sizes.Sum(), MidpointRounding.AwayFromZero);
    }

    /// <summary>The highest total sparsity the band allows over <paramref name="sizes"/>: Σ high counts / Σ sizes.</summary>
    public static double MaxReachable(IReadOnlyList<long> sizes, PruningOptions options)
    {
        var total = sizes.Sum();
        return total == 0 ? 0 : (double)Counts(sizes, options).Sum(c => c.High) / total;
    }

    /// <summary>
    /// The sparsities the sweep measures: the band's ends, the target, and every <see cref="Levels"/> entry strictly
    /// inside the band, ascending. Nothing outside the band is measured: the allocation cannot go there.
    /// </summary>
    public static IReadOnlyList<double> SweepLevels(PruningOptions options)
    {
        var (low, high) = Band(options);
        var t = Math.Clamp(options.TargetSparsity, low, high);
        return [.. Levels.Where(l => l > low && l < high).Append(low).Append(t).Append(high).Select(l => Math.Round(l, 9)).Distinct().Order()];
    }

    /// <summary>
    /// Per-layer counts of weights to prune that sum to exactly <see cref="Target"/>, each inside <see cref="Counts"/>,
    /// chosen greedily: every layer starts at its low count, then the layer whose next step (a hundredth of its weights,
    /// the last step only what is left) adds the least predicted loss per pruned weight takes it; ties go to the layer
    /// that is less sparse, then to the earlier one. <paramref name="losses"/>[i][k] is the validation loss increase of
    /// layer i alone pruned to <paramref name="levels"/>[k]; the curve is made non-negative and non-decreasing and
    /// interpolated linearly (from 0 at sparsity 0; flat after the last level). Null when the band cannot reach the target.
    /// </summary>
    public static long[]? Choose(IReadOnlyList<long> sizes, IReadOnlyList<double> levels, IReadOnlyList<IReadOnlyList<double>> losses, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(losses);
        var bounds = Counts(sizes, options);
        var target = Target(sizes, options.TargetSparsity);
        if (bounds.Sum(b => b.High) < target || bounds.Sum(b => b.Low) > target)
        {
            return null;
        }

        var curves = losses.Select(Monotone).ToList();
        double Loss(int layer, long count)
        {
            var sparsity = sizes[layer] == 0 ? 0 : (double)count / sizes[layer];
            var (previousLevel, previousLoss) = (0.0, 0.0);
            for (var k = 0; k < levels.Count; k++)
            {
                if (sparsity <= levels[k])
                {
                    var width = levels[k] - previousLevel;
                    return width <= 0 ? curves[layer][k] : previousLoss + ((curves[layer][k] - previousLoss) * (sparsity - previousLevel) / width);
                }

                (previousLevel, previousLoss) = (levels[k], curves[layer][k]);
            }

            return previousLoss;
        }

        var counts = bounds.Select(b => b.Low).ToArray();
        var remaining = target - counts.Sum();
        while (remaining > 0)
        {
            var best = -1;
            var (bestCost, bestSparsity, bestTake) = (double.PositiveInfinity, double.PositiveInfinity, 0L);
            for (var i = 0; i < counts.Length; i++)
            {
                var take = Math.Min(Math.Min(Math.Max(1, (long)Math.Ceiling(Step * sizes[i])), bounds[i].High - counts[i]), remaining);
                if (take <= 0)
                {
                    continue;
                }

                var cost = (Loss(i, counts[i] + take) - Loss(i, counts[i])) / take;
                var sparsity = (double)counts[i] / sizes[i];
                if (cost < bestCost || (cost == bestCost && sparsity < bestSparsity))
                {
                    (best, bestCost, bestSparsity, bestTake) = (i, cost, sparsity, take);
                }
            }

            counts[best] += bestTake;
            remaining -= bestTake;
        }

        return counts;
    }

    /// <summary>
    /// <paramref name="counts"/> as the relative ratios <see cref="Pruners.SparsityAllocator"/> takes: at the target it
    /// gives back exactly these counts, and on the way there (a schedule's smaller sparsities) proportionally less.
    /// </summary>
    public static IReadOnlyList<double> Ratios(IReadOnlyList<long> counts, IReadOnlyList<long> sizes, double target)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(sizes);
        return [.. counts.Select((c, i) => target > 0 && sizes[i] > 0 ? c / (target * sizes[i]) : 1.0)];
    }

    private static double[] Monotone(IReadOnlyList<double> losses)
    {
        var curve = new double[losses.Count];
        var worst = 0.0;
        for (var k = 0; k < losses.Count; k++)
        {
            worst = Math.Max(worst, double.IsFinite(losses[k]) ? losses[k] : double.MaxValue);
            curve[k] = worst;
        }

        return curve;
    }
}
