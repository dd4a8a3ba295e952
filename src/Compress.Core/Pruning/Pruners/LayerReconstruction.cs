using Compress.Graph;
using Compress.Graph.Operators;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning.Pruners;

/// <summary>
/// How one prunable weight acts as a linear map on a value the graph computes, so that the layer's output on a
/// calibration batch can be kept while weights are removed: the weight seen as <see cref="Groups"/> matrices of
/// [rows, <see cref="Columns"/>] (one row per output), each multiplying column vectors of its input.
/// </summary>
/// <param name="Weight">The weight's name (an executor parameter).</param>
/// <param name="Step">The one graph step that reads it.</param>
/// <param name="Groups">Independent matrices (a grouped Conv's groups; 1 otherwise).</param>
/// <param name="Columns">Inputs per output row (Conv: in/group × kernel elements).</param>
/// <param name="Transposed">The weight stores [inputs, outputs] (Gemm without transB, MatMul's B).</param>
public sealed record ReconstructableLayer(string Weight, GraphStep Step, int Groups, int Columns, bool Transposed)
{
    /// <summary>The weight as [groups, rows, columns] in float64.</summary>
    public Tensor Rows(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var matrix = Transposed ? weight.t() : weight;
        return matrix.to_type(ScalarType.Float64).reshape(Groups, -1, Columns);
    }

    /// <summary>The inverse of <see cref="Rows"/>: [groups, rows, columns] back to the weight's shape and dtype.</summary>
    public Tensor FromRows(Tensor rows, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(like);
        var matrix = Transposed ? rows.reshape(like.shape[1], like.shape[0]).t() : rows.reshape(like.shape);
        return matrix.to_type(like.dtype).contiguous();
    }
}

/// <summary>
/// Layer-wise reconstruction after a pruning step (<c>pruning.reconstruct: true</c>; the weight update of the
/// Optimal Brain Surgeon, Hassibi &amp; Stork 1993, applied per layer as in Optimal Brain Compression, Frantar &amp;
/// Alistarh 2022, and SparseGPT). For a layer y = W x with inputs X gathered on training batches, H = Σ x xᵀ is the
/// Hessian of the layer's squared output error ‖(W − Ŵ) X‖²; once the method has chosen the mask, every row's kept
/// weights are re-solved exactly by least squares (<see cref="Reconstruct"/>), so the layer's output on the
/// calibration inputs changes as little as the mask allows. H is damped by <see cref="Dampening"/> × its mean diagonal
/// (inputs that are always zero, e.g. after a ReLU, make it singular). OBS's own score, w²/[H⁻¹]ⱼⱼ, was measured as a
/// method and lost to Taylor saliency on the sample (docs/pruning.md), so the mask stays the method's.
/// </summary>
public static class LayerReconstruction
{
    /// <summary>The damping added to H's diagonal, as a fraction of its mean diagonal (SparseGPT's 1 %).</summary>
    public const double Dampening = 0.01;

    /// <summary>The most patch values (float64) a Conv's inputs are unfolded into at once: 2²⁴, 128 MiB.</summary>
    internal const long PatchElements = 1L << 24;

    /// <summary>Rows solved at once by <see cref="Reconstruct"/> (bounds the [rows, columns, columns] systems' memory).</summary>
    private const int RowChunk = 64;

    /// <summary>
    /// The weights among <paramref name="names"/> that are one linear map on one computed input: the W of a Conv
    /// (1-D or 2-D, any group), the B of a Gemm or a 2-D MatMul, the input weights W of a GRU or LSTM (their
    /// recurrent R sees hidden states the graph does not expose per step, and a weight read by several nodes has no
    /// single input: those keep the method's cut and are not re-solved).
    /// </summary>
    public static IReadOnlyDictionary<string, ReconstructableLayer> Find(OnnxGraphModule module, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var readers = new Dictionary<string, List<(GraphStep Step, int Index)>>(StringComparer.Ordinal);
        foreach (var step in module.Graph.Steps)
        {
            for (var i = 0; i < step.Inputs.Count; i++)
            {
                if (wanted.Contains(step.Inputs[i]))
                {
                    if (!readers.TryGetValue(step.Inputs[i], out var list))
                    {
                        readers[step.Inputs[i]] = list = [];
                    }

                    list.Add((step, i));
                }
            }
        }

        var layers = new Dictionary<string, ReconstructableLayer>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (readers.GetValueOrDefault(name) is [var (step, index)] && module.OnnxParameters.TryGetValue(name, out var w)
                && step.Inputs[0].Length > 0 && Describe(name, step, index, w.shape) is { } layer)
            {
                layers[name] = layer;
            }
        }

        return layers;
    }

    private static ReconstructableLayer? Describe(string name, GraphStep step, int index, long[] shape)
    {
        var node = step.Operator.Node;
        switch (node.OpType, index)
        {
            case ("Conv", 1) when shape.Length is 3 or 4:
                var group = node.Int("group", 1);
                if (group < 1 || shape[0] % group != 0)
                {
                    return null;
                }

                return new ReconstructableLayer(name, step, (int)group, (int)shape[1..].Aggregate(1L, (a, d) => a * d), false);
            case ("Gemm", 1) when shape.Length == 2:
                var transB = node.Int("transB", 0) != 0;
                return new ReconstructableLayer(name, step, 1, (int)(transB ? shape[1] : shape[0]), !transB);
            case ("MatMul", 1) when shape.Length == 2:
                return new ReconstructableLayer(name, step, 1, (int)shape[0], true);
            case ("GRU" or "LSTM", 1) when shape.Length == 3:
                return new ReconstructableLayer(name, step, 1, (int)shape[2], false);
            default:
                return null;
        }
    }

    /// <summary>
    /// H = Σ x xᵀ over the inputs each layer sees on <paramref name="batches"/> training batches (the module in eval
    /// mode, no gradients), damped, as [groups, columns, columns] float64, over <see cref="Batches.Scoring"/>'s batches.
    /// </summary>
    public static Dictionary<string, Tensor> Hessians(OnnxGraphModule module, IReadOnlyDictionary<string, ReconstructableLayer> layers, ITrainingData data, int batchSize, int batches, int seed, int round)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(data);
        var sums = layers.ToDictionary(
            l => l.Key,
            l => zeros(l.Value.Groups, l.Value.Columns, l.Value.Columns, ScalarType.Float64).DetachFromDisposeScope(),
            StringComparer.Ordinal);
        if (layers.Count == 0)
        {
            return sums;
        }

        var fetch = layers.Values.Select(l => l.Step.Inputs[0]).Distinct(StringComparer.Ordinal).ToList();
        var wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var indices in Batches.Scoring(data.Count, batchSize, batches, seed, round))
            {
                using var scope = NewDisposeScope();
                var batch = Batches.Read(data, indices);
                var feeds = new Dictionary<string, Tensor> { [module.InputNames[0]] = tensor(batch.Features, batch.Shape) };
                var values = module.Graph.Run(Graph.ExecutionContext.Eval, feeds, fetch: fetch);
                foreach (var (name, layer) in layers)
                {
                    Accumulate(sums[name], layer, values[layer.Step.Inputs[0]], module.OnnxParameters[name]);
                }
            }
        }
        finally
        {
            module.train(wasTraining);
        }

        foreach (var h in sums.Values)
        {
            Damp(h);
        }

        return sums;
    }

    /// <summary>
    /// Adds Σ x xᵀ of <paramref name="input"/>'s columns to <paramref name="sum"/>. A Conv's patches repeat every input
    /// value kernel-size times, so its items are unfolded a few at a time (at most <paramref name="patchElements"/>
    /// doubles, default <see cref="PatchElements"/>).
    /// </summary>
    internal static void Accumulate(Tensor sum, ReconstructableLayer layer, Tensor input, Tensor weight, long patchElements = PatchElements)
    {
        var items = layer.Step.Operator.Node.OpType == "Conv" ? input.shape[0] : 0;
        if (items <= 1)
        {
            var x = Columns(layer, input, weight); // [groups, samples, columns]
            sum.add_(x.transpose(1, 2).bmm(x));
            return;
        }

        var perItem = Columns(layer, input.narrow(0, 0, 1), weight).numel();
        var chunk = Math.Max(1, patchElements / Math.Max(1, perItem));
        for (long start = 0; start < items; start += chunk)
        {
            using var scope = NewDisposeScope();
            var x = Columns(layer, input.narrow(0, start, Math.Min(chunk, items - start)), weight);
            sum.add_(x.transpose(1, 2).bmm(x));
        }
    }

    /// <summary>Adds <see cref="Dampening"/> × the mean diagonal (1 when the diagonal is all zero) to every group's diagonal, in place.</summary>
    public static void Damp(Tensor hessian)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        using var scope = NewDisposeScope();
        var diagonal = hessian.diagonal(0, 1, 2); // [groups, columns], a view
        var mean = diagonal.mean([1], keepdim: true);
        var damping = where(mean > 0, mean * Dampening, ones_like(mean));
        diagonal.add_(damping);
    }

    /// <summary>
    /// The input column vectors a layer multiplies, as [groups, samples, columns] float64: a Conv's input patches
    /// (its pads applied, dilations and strides followed), a Gemm's or MatMul's rows of A, a GRU's or LSTM's frames.
    /// </summary>
    public static Tensor Columns(ReconstructableLayer layer, Tensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var node = layer.Step.Operator.Node;
        var x = input.detach().to_type(ScalarType.Float64);
        switch (node.OpType)
        {
            case "Conv":
                var geometry = ConvGeometry.Read(node, weight.shape[2..]);
                x = nn.functional.pad(x, ConvGeometry.TorchPadOrder(geometry.PadsFor(x.shape[2..])));
                long[] kernel = geometry.Kernel, dilation = geometry.Dilations, stride = geometry.Strides;
                if (geometry.SpatialRank == 1)
                {
                    x = x.unsqueeze(2);
                    (kernel, dilation, stride) = ([1, kernel[0]], [1, dilation[0]], [1, stride[0]]);
                }

                var patches = nn.functional.unfold(x, (kernel[0], kernel[1]), (dilation[0], dilation[1]), (0, 0), (stride[0], stride[1])); // [N, C·k, L]
                var (n, l) = (patches.shape[0], patches.shape[2]);
                return patches.reshape(n, layer.Groups, layer.Columns, l).permute(1, 0, 3, 2).reshape(layer.Groups, n * l, layer.Columns);
            case "Gemm":
                var a = node.Int("transA", 0) != 0 ? x.t() : x;
                return a.reshape(1, -1, layer.Columns);
            default: // MatMul's A [..., K]; a GRU's or LSTM's X [T, N, I] or [N, T, I]
                return x.reshape(1, -1, layer.Columns);
        }
    }

    /// <summary>
    /// The weights that keep the layer's output closest to <paramref name="weight"/>'s on the calibration inputs
    /// under <paramref name="mask"/> (1 keep, 0 pruned): every row's kept weights w'_S = w_S + H_SS⁻¹ (H w_P)_S,
    /// where w_P is the row with only its pruned weights left, and pruned weights exactly zero.
    /// </summary>
    public static Tensor Reconstruct(ReconstructableLayer layer, Tensor weight, Tensor mask, Tensor hessian)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(hessian);
        var rows = layer.Rows(weight.detach());
        var keep = layer.Rows(mask);
        var result = zeros_like(rows);
        var identity = eye(layer.Columns, dtype: ScalarType.Float64);
        for (var g = 0; g < layer.Groups; g++)
        {
            var h = hessian[g];
            for (long start = 0; start < rows.shape[1]; start += RowChunk)
            {
                using var scope = NewDisposeScope();
                var length = Math.Min(RowChunk, rows.shape[1] - start);
                var w = rows[g].narrow(0, start, length);      // [r, c]
                var m = keep[g].narrow(0, start, length);      // [r, c]
                var pruned = m.Subtracted(1);                  // 1 − m, with rooted scalars (RootedScalars)
                var rhs = (w * pruned).matmul(h) * m;          // (H w_P)_S per row (H is symmetric)
                var system = (m.unsqueeze(2) * h.unsqueeze(0) * m.unsqueeze(1)).Plus(pruned.unsqueeze(2) * identity.unsqueeze(0));
                // M H M + (I − M) is symmetric positive definite (H is damped): Cholesky. A batched LU solve of the same
                // systems failed inside a pipeline run ("pivots given to lu_solve must all be >= 1") though it succeeded
                // on the saved systems alone; CtcFixturePipelineTests' reconstruct case covers this path.
                var delta = cholesky_solve(rhs.unsqueeze(2), linalg.cholesky(system)).squeeze(2);
                result[g].narrow(0, start, length).copy_(w.Plus(delta) * m);
            }
        }

        return layer.FromRows(result, weight);
    }
}
