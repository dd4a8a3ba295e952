namespace Compress.Pruning.Pruners;

/// <summary>
/// Unstructured pruning: per layer (or globally, on the raw scores or on LAMP's layer-normalised ones) the lowest-scoring weights get mask 0. Weights already pruned
/// score −∞, so masks only grow and a layer's count includes its earlier zeros. Ties are broken by flat index,
/// so the same scores always give the same mask.
/// </summary>
public static class UnstructuredPruner
{
    /// <summary>
    /// Prunes <paramref name="names"/> to <paramref name="sparsity"/> (fraction of all their elements) using
    /// <paramref name="scores"/> (flat, one per element; higher = more important).
    /// </summary>
    /// <param name="ratios">Relative per-layer sparsities (sensitivity allocation), or null for uniform.</param>
    public static void Prune(MaskSet masks, IReadOnlyList<string> names, IReadOnlyDictionary<string, float[]> scores, double sparsity, PruningOptions options, IReadOnlyList<double>? ratios = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(options);
        var adjusted = names.Select(n => WithPruned(scores[n], MaskValues(masks, n))).ToList();
        var sizes = adjusted.Select(a => (long)a.Length).ToList();
        var counts = ratios is not null || (options.Scope != PruningScope.Global && options.Allocation != SparsityAllocation.Lamp)
            ? SparsityAllocator.Allocate(sizes, sparsity, ratios, options.MinLayerSparsity, options.MaxLayerSparsity)
            : GlobalCounts(options.Allocation == SparsityAllocation.Lamp ? [.. adjusted.Select(Lamp)] : adjusted, sparsity, options);
        for (var i = 0; i < names.Count; i++)
        {
            var keep = KeepMask(adjusted[i], counts[i]);
            using var next = TorchSharp.torch.tensor(keep).reshape(masks[names[i]].shape);
            masks.Update(names[i], next);
        }
    }

    /// <summary>Per-layer counts for a global threshold: layer minimums first, then the globally smallest scores while layers stay under their maximum.</summary>
    private static long[] GlobalCounts(IReadOnlyList<float[]> scores, double sparsity, PruningOptions options)
    {
        var n = scores.Count;
        var sizes = scores.Select(s => (long)s.Length).ToArray();
        var target = (long)Math.Round(sparsity * sizes.Sum(), MidpointRounding.AwayFromZero);
        var lo = sizes.Select(s => (long)Math.Ceiling((Math.Min(options.MinLayerSparsity, sparsity) * s) - 1e-9)).ToArray();
        var hi = sizes.Select((s, i) => Math.Max(lo[i], (long)Math.Floor((options.MaxLayerSparsity * s) + 1e-9))).ToArray();
        var counts = (long[])lo.Clone();
        var remaining = target - counts.Sum();
        var candidates = new List<(float Score, int Layer, int Rank)>();
        for (var layer = 0; layer < n; layer++)
        {
            var order = Order(scores[layer]);
            for (var rank = (int)lo[layer]; rank < order.Length; rank++)
            {
                candidates.Add((scores[layer][order[rank]], layer, rank));
            }
        }

        candidates.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Layer != b.Layer ? a.Layer.CompareTo(b.Layer) : a.Rank.CompareTo(b.Rank));
        foreach (var (_, layer, _) in candidates)
        {
            if (remaining <= 0)
            {
                break;
            }

            if (counts[layer] < hi[layer])
            {
                counts[layer]++;
                remaining--;
            }
        }

        return counts;
    }

    /// <summary>
    /// LAMP scores of one layer: with the layer's finite scores ranked ascending (<see cref="Order"/>), score(u) =
    /// s_u² / Σ_{v ranked at or above u} s_v² (s clamped at 0; 0 when that sum is 0). Non-decreasing along the same
    /// ranking, so a layer's kept weights are still its highest-scoring ones; the largest is 1. Pruned weights (−∞) and
    /// NaN scores (+∞) keep their infinities and count in no sum.
    /// </summary>
    internal static float[] Lamp(float[] scores)
    {
        var order = Order(scores);
        var lamp = new float[scores.Length];
        double above = 0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var i = order[k];
            var s = scores[i];
            if (float.IsInfinity(s))
            {
                lamp[i] = s;
                continue;
            }

            var energy = Math.Max(0, (double)s) * Math.Max(0, (double)s);
            above += energy;
            lamp[i] = above > 0 ? (float)(energy / above) : 0f;
        }

        return lamp;
    }

    private static float[] KeepMask(float[] scores, long prune)
    {
        var keep = new float[scores.Length];
        Array.Fill(keep, 1f);
        var order = Order(scores);
        for (var i = 0; i < prune && i < order.Length; i++)
        {
            keep[order[i]] = 0f;
        }

        return keep;
    }

    /// <summary>Indices by ascending score, ties by index.</summary>
    internal static int[] Order(float[] scores)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var keys = (float[])scores.Clone();
        Array.Sort(keys, order);
        // Array.Sort is not stable: restore index order within runs of equal keys.
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                Array.Sort(order, start, i - start);
                start = i;
            }
        }

        return order;
    }

    private static float[] MaskValues(MaskSet masks, string name)
    {
        using var cpu = masks[name].to_type(TorchSharp.torch.ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    private static float[] WithPruned(float[] scores, float[] mask)
    {
        var adjusted = new float[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            adjusted[i] = mask[i] == 0 ? float.NegativeInfinity : float.IsNaN(scores[i]) ? float.PositiveInfinity : scores[i];
        }

        return adjusted;
    }
}
