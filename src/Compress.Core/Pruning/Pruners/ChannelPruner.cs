using Compress.Export;
using Compress.Onnx.Proto;
using Compress.Pruning.Dependency;
using static TorchSharp.torch;

namespace Compress.Pruning.Pruners;

/// <summary>
/// Structured pruning of <see cref="ChannelGroup"/>s: picks the lowest-scoring channels of each group, zeroes
/// them through masks while training (so the masked network computes exactly what the shrunk one will), and at
/// the end cuts every slice of every group out of its tensor, fixes the channel-count attributes
/// (depthwise <c>group</c>, <c>hidden_size</c>) and the value_info shapes.
/// </summary>
public sealed class ChannelPruner
{
    private readonly IReadOnlyList<ChannelGroup> _groups;
    private readonly Dictionary<int, SortedSet<int>> _removed = [];

    private readonly IReadOnlyList<(string Value, int Axis, IReadOnlyList<ChannelGroup> Groups)> _segmented;

    /// <param name="groups">The prunable groups.</param>
    /// <param name="segmented">Values whose channel axis concatenates groups (their value_info shapes are fixed too).</param>
    public ChannelPruner(IReadOnlyList<ChannelGroup> groups, IReadOnlyList<(string Value, int Axis, IReadOnlyList<ChannelGroup> Groups)>? segmented = null)
    {
        _groups = groups ?? throw new ArgumentNullException(nameof(groups));
        _segmented = segmented ?? [];
        foreach (var g in groups)
        {
            _removed[g.Id] = [];
        }
    }

    /// <summary>The groups.</summary>
    public IReadOnlyList<ChannelGroup> Groups => _groups;

    /// <summary>Names of the tensors masked while training.</summary>
    public IEnumerable<string> MaskedTensors => _groups.SelectMany(g => g.Slices).Where(s => s.Masked).Select(s => s.Tensor).Distinct();

    /// <summary>The channels of a group removed so far.</summary>
    public IReadOnlySet<int> Removed(ChannelGroup group) => _removed[group.Id];

    /// <summary>How many channels of a group of <paramref name="size"/> to remove at <paramref name="sparsity"/>; with <paramref name="roundTo"/> the kept count is a multiple of it (at least one multiple, at most the size).</summary>
    public static int RemoveCount(int size, double sparsity, int roundTo)
    {
        var keep = size - (int)Math.Round(sparsity * size, MidpointRounding.AwayFromZero);
        if (roundTo > 1)
        {
            keep = (int)Math.Round((double)keep / roundTo, MidpointRounding.AwayFromZero) * roundTo;
            keep = Math.Max(keep, Math.Min(size, roundTo));
        }

        return size - Math.Clamp(keep, 1, size);
    }

    /// <summary>Removes channels so each group reaches <paramref name="sparsity"/>; <paramref name="elementScores"/> are per-element importances of the weight tensors (flat).</summary>
    public void Prune(double sparsity, int roundTo, IReadOnlyDictionary<string, float[]> elementScores, IReadOnlyDictionary<string, long[]> shapes, MaskSet masks)
    {
        ArgumentNullException.ThrowIfNull(elementScores);
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(masks);
        var axisSums = new Dictionary<(string, int), double[]>();
        foreach (var group in _groups)
        {
            var removed = _removed[group.Id];
            var target = Math.Max(removed.Count, RemoveCount(group.Size, sparsity, roundTo));
            if (target == removed.Count)
            {
                continue;
            }

            var scores = new double[group.Size];
            foreach (var slice in group.Slices.Where(s => elementScores.ContainsKey(s.Tensor)))
            {
                if (!axisSums.TryGetValue((slice.Tensor, slice.Axis), out var sums))
                {
                    sums = AxisSums(elementScores[slice.Tensor], shapes[slice.Tensor], slice.Axis);
                    axisSums[(slice.Tensor, slice.Axis)] = sums;
                }

                for (var c = 0; c < group.Size; c++)
                {
                    foreach (var i in slice.IndicesOf(c))
                    {
                        scores[c] += sums[i];
                    }
                }
            }

            var order = Enumerable.Range(0, group.Size).OrderBy(c => removed.Contains(c) ? double.NegativeInfinity : scores[c]).ThenBy(c => c);
            foreach (var c in order.Take(target))
            {
                removed.Add(c);
            }

            foreach (var slice in group.Slices.Where(s => s.Masked && masks.Names.Contains(s.Tensor)))
            {
                using var scope = NewDisposeScope();
                var next = ones_like(masks[slice.Tensor]);
                next.index_fill_(slice.Axis, tensor(removed.SelectMany(slice.IndicesOf).ToArray()), 0);
                masks.Update(slice.Tensor, next);
            }
        }
    }

    /// <summary>Zeroes, in place, every slice of every removed channel in <paramref name="parameters"/> (masked or only cut).</summary>
    public void ZeroCut(IReadOnlyDictionary<string, TorchSharp.Modules.Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var group in _groups.Where(g => _removed[g.Id].Count > 0))
        {
            foreach (var slice in group.Slices)
            {
                if (parameters.TryGetValue(slice.Tensor, out var p))
                {
                    p.index_fill_(slice.Axis, tensor(_removed[group.Id].SelectMany(slice.IndicesOf).ToArray()), 0);
                }
            }
        }
    }

    /// <summary>
    /// The shrunk model: <paramref name="weights"/> (trained values by initializer name) with every removed channel
    /// cut out, written into a copy of <paramref name="original"/>; and, for each of <paramref name="reported"/>,
    /// its original element count and how many elements were removed.
    /// </summary>
    public (ModelProto Model, IReadOnlyList<TensorSparsity> Layers) Shrink(ModelProto original, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<string> reported)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(reported);
        using var scope = NewDisposeScope();
        var cuts = new Dictionary<string, Dictionary<int, HashSet<long>>>(StringComparer.Ordinal);
        foreach (var group in _groups)
        {
            foreach (var slice in group.Slices)
            {
                if (!cuts.TryGetValue(slice.Tensor, out var axes))
                {
                    cuts[slice.Tensor] = axes = [];
                }

                if (!axes.TryGetValue(slice.Axis, out var indices))
                {
                    axes[slice.Axis] = indices = [];
                }

                indices.UnionWith(_removed[group.Id].SelectMany(slice.IndicesOf));
            }
        }

        var shrunk = new Dictionary<string, Tensor>(weights, StringComparer.Ordinal);
        foreach (var (name, axes) in cuts)
        {
            var t = weights[name].detach();
            foreach (var (axis, removed) in axes.OrderBy(a => a.Key))
            {
                var keep = Enumerable.Range(0, (int)t.shape[axis]).Where(i => !removed.Contains(i)).Select(i => (long)i).ToArray();
                t = t.index_select(axis, tensor(keep));
            }

            shrunk[name] = t;
        }

        var model = WeightWriteBack.Apply(original, shrunk);
        FixAttributesAndShapes(model);
        FixSegmentedShapes(model);
        var layers = reported.Select(n => new TensorSparsity(n, weights[n].numel(), weights[n].numel() - shrunk[n].numel())).ToList();
        return (model, layers);
    }

    private void FixAttributesAndShapes(ModelProto model)
    {
        var nodes = model.Graph.Node.Where(n => n.Output.Count > 0).ToDictionary(n => n.Output[0], StringComparer.Ordinal);
        foreach (var group in _groups)
        {
            var kept = group.Size - _removed[group.Id].Count;
            foreach (var (node, attribute) in group.SizeAttributes)
            {
                var a = nodes[node.Output[0]].Attribute.First(x => x.Name == attribute);
                a.I = kept;
            }

            foreach (var (node, input) in group.ZeroStates)
            {
                var state = nodes[node.Output[0]].Input[input];
                nodes[node.Output[0]].Input[input] = ""; // an absent initial state is zero, whatever the hidden size
                RemoveUnused(model.Graph, state);
            }

            foreach (var (value, axis) in group.Values)
            {
                foreach (var info in model.Graph.ValueInfo.Where(v => v.Name == value).ToList())
                {
                    var dims = info.Type?.TensorType?.Shape?.Dim;
                    if (dims is null || axis < 0 || axis >= dims.Count || dims[axis].DimValue == 0)
                    {
                        continue;
                    }

                    if (dims[axis].DimValue % group.Size == 0)
                    {
                        dims[axis].DimValue = dims[axis].DimValue / group.Size * kept;
                    }
                    else
                    {
                        model.Graph.ValueInfo.Remove(info);
                    }
                }
            }
        }
    }

    /// <summary>Removes the node producing <paramref name="value"/> when nothing reads it any more, and in turn its unread inputs.</summary>
    private static void RemoveUnused(GraphProto graph, string value)
    {
        var pending = new Stack<string>([value]);
        while (pending.TryPop(out var name))
        {
            var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(name));
            if (producer is null || graph.Output.Any(o => producer.Output.Contains(o.Name))
                || graph.Node.Any(n => n.Input.Any(producer.Output.Contains) || n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
            {
                continue;
            }

            graph.Node.Remove(producer);
            foreach (var input in producer.Input.Where(i => i.Length > 0))
            {
                if (graph.Initializer.FirstOrDefault(t => t.Name == input) is { } t && !graph.Node.Any(n => n.Input.Contains(input)) && graph.Output.All(o => o.Name != input))
                {
                    graph.Initializer.Remove(t);
                }
                else
                {
                    pending.Push(input);
                }
            }
        }
    }

    private void FixSegmentedShapes(ModelProto model)
    {
        foreach (var (value, axis, groups) in _segmented)
        {
            var removed = groups.Sum(g => _removed.TryGetValue(g.Id, out var r) ? r.Count : 0);
            foreach (var info in model.Graph.ValueInfo.Where(v => v.Name == value).ToList())
            {
                if (info.Type?.TensorType?.Shape?.Dim is { } dims && axis >= 0 && axis < dims.Count && dims[axis].DimValue == groups.Sum(g => g.Size))
                {
                    dims[axis].DimValue -= removed;
                }
                else
                {
                    model.Graph.ValueInfo.Remove(info);
                }
            }
        }
    }

    private static double[] AxisSums(float[] scores, long[] shape, int axis)
    {
        using var scope = NewDisposeScope();
        var t = tensor(scores).reshape(shape).to_type(ScalarType.Float64);
        var others = Enumerable.Range(0, shape.Length).Where(d => d != axis).Select(d => (long)d).ToArray();
        var sums = others.Length == 0 ? t : t.sum(others);
        return sums.data<double>().ToArray();
    }
}
