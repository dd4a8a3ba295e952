namespace Compress.Pruning.Pruners;

/// <summary>
/// Splits a total number of weights to prune over layers so the total is exact: round(sparsity × Σ sizes), each
/// layer i getting about c·ratio_i·size_i for one common c, clamped to [⌈lo·size⌉, ⌊hi·size⌋]. Rounding leftovers
/// go to the layers with the largest fractional parts (ties: earlier layer), so the result is deterministic.
/// </summary>
public static class SparsityAllocator
{
    /// <param name="sizes">Elements per layer.</param>
    /// <param name="sparsity">Fraction of all elements to prune, in [0, 1].</param>
    /// <param name="ratios">Relative per-layer sparsity (1 everywhere for uniform allocation), or null.</param>
    /// <param name="minLayer">Lowest per-layer sparsity.</param>
    /// <param name="maxLayer">Highest per-layer sparsity.</param>
    /// <returns>Elements to prune per layer. Their sum is exactly round(sparsity × Σ sizes) when the bounds allow it.</returns>
    public static long[] Allocate(IReadOnlyList<long> sizes, double sparsity, IReadOnlyList<double>? ratios, double minLayer, double maxLayer)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var n = sizes.Count;
        var total = sizes.Sum();
        var target = (long)Math.Round(sparsity * total, MidpointRounding.AwayFromZero);
        var lo = new long[n];
        var hi = new long[n];
        for (var i = 0; i < n; i++)
        {
            lo[i] = Math.Min(sizes[i], (long)Math.Ceiling((Math.Min(minLayer, sparsity) * sizes[i]) - 1e-9));
            hi[i] = Math.Max(lo[i], (long)Math.Floor((maxLayer * sizes[i]) + 1e-9));
        }

        double Share(int i, double c) => Math.Clamp(c * (ratios?[i] ?? 1.0) * sizes[i], lo[i], hi[i]);
        double Sum(double c) => Enumerable.Range(0, n).Sum(i => Share(i, c));

        double low = 0, high = 1;
        while (Sum(high) < target && high < 1e12)
        {
            high *= 2;
        }

        for (var iteration = 0; iteration < 200; iteration++)
        {
            var mid = (low + high) / 2;
            if (Sum(mid) < target)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        var shares = Enumerable.Range(0, n).Select(i => Share(i, high)).ToArray();
        var counts = shares.Select((s, i) => Math.Clamp((long)Math.Floor(s + 1e-9), lo[i], hi[i])).ToArray();
        var remainder = target - counts.Sum();
        var byFraction = Enumerable.Range(0, n).OrderByDescending(i => shares[i] - Math.Floor(shares[i] + 1e-9)).ThenBy(i => i).ToList();
        while (remainder > 0 && byFraction.Any(i => counts[i] < hi[i]))
        {
            foreach (var i in byFraction.Where(i => counts[i] < hi[i]))
            {
                if (remainder == 0)
                {
                    break;
                }

                counts[i]++;
                remainder--;
            }
        }

        while (remainder < 0 && byFraction.Any(i => counts[i] > lo[i]))
        {
            foreach (var i in Enumerable.Reverse(byFraction).Where(i => counts[i] > lo[i]))
            {
                if (remainder == 0)
                {
                    break;
                }

                counts[i]--;
                remainder++;
            }
        }

        return counts;
    }

    /// <summary>The highest total sparsity the bounds allow: Σ⌊max·size⌋ / Σ size.</summary>
    public static double MaxReachable(IReadOnlyList<long> sizes, double maxLayer)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var total = sizes.Sum();
        return total == 0 ? 0 : (double)sizes.Sum(s => (long)Math.Floor((maxLayer * s) + 1e-9)) / total;
    }
}
