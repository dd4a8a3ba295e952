using Compress.Diagnostics;
using Compress.Onnx.Proto;

namespace Compress.Pruning.Dependency;

/// <summary>
/// The channel dependency graph of an ONNX model: walks the nodes in order, following every value's channel axis
/// (<see cref="ChannelLayout"/>), and collects the tensors whose slices must be removed together into
/// <see cref="ChannelGroup"/>s. Couplings: Conv/ConvTranspose/Gemm/MatMul output channels and the input slices of
/// their consumers; BatchNormalization/InstanceNormalization parameters; depthwise Conv (weights, bias and the
/// <c>group</c> attribute follow the channels); zero-preserving activations and pooling; residual Add/Sub/Mul/Max/Min
/// (both operands' groups merge); Concat along the channel axis (segments); Flatten→Gemm (each channel a block of
/// features); Squeeze/Unsqueeze/Transpose/Reduce*/Gather of a constant index off the channel axis (the axis moves);
/// LSTM/GRU hidden units across the gates of W, R and B, in both directions (a bidirectional output reshaped from
/// [.., 2, H] to [.., 2H] carries the group twice), with no initial state or one of constant zeros (otherwise CMP4010);
/// self-attention's MatMuls of two activations (q/k joined by the contraction of QKᵀ, v carried into the output
/// projection; see DependencyGraph.Attention.cs). LayerNormalization/ReduceMean over the channel axis and Softmax keep
/// the channels that reach them. Anything else that reads a tracked value pins its groups (with a CMP4006 warning).
/// </summary>
public sealed partial class DependencyGraph
{
    private readonly List<ChannelGroup> _groups = [];
    private readonly List<int> _parent = [];
    private readonly Dictionary<string, ChannelLayout> _layouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly HashSet<string> _graphInitializers;
    private readonly List<Diagnostic> _warnings = [];
    private readonly ModelProto _model;
    private readonly List<(string Value, int Axis, IReadOnlyList<int> Groups)> _segmented = [];
    private readonly HashSet<string> _zeros = new(StringComparer.Ordinal);

    private DependencyGraph(ModelProto model)
    {
        _model = model;
        _initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _graphInitializers = _initializers.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The groups (after merging), in creation order.</summary>
    public IReadOnlyList<ChannelGroup> Groups { get; private set; } = [];

    /// <summary>Values whose channel axis concatenates several groups (after a Concat), with the groups in order.</summary>
    public IReadOnlyList<(string Value, int Axis, IReadOnlyList<ChannelGroup> Groups)> SegmentedValues { get; private set; } = [];

    /// <summary>Warnings about nodes that pinned channels.</summary>
    public IReadOnlyList<Diagnostic> Warnings => _warnings;

    /// <summary>Analyses <paramref name="model"/>; groups whose producers are not all eligible under <paramref name="options"/> are pinned.</summary>
    public static DependencyGraph Build(ModelProto model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new DependencyGraph(model);
        foreach (var node in model.Graph.Node)
        {
            graph.Visit(node);
        }

        foreach (var output in model.Graph.Output)
        {
            if (graph._layouts.TryGetValue(output.Name, out var layout))
            {
                graph.Pin(layout, $"it reaches the graph output '{output.Name}'");
            }
        }

        var status = PrunableWeights.Find(model, options).ToDictionary(t => t.Name, t => t.Status, StringComparer.Ordinal);
        var roots = Enumerable.Range(0, graph._groups.Count).Where(i => graph.Find(i) == i).Select(i => graph._groups[i]).ToList();
        foreach (var group in roots)
        {
            if (group.Producers.Count == 0)
            {
                group.PinReason ??= "no prunable weight produces it";
            }
            else if (group.Producers.FirstOrDefault(p => !status.TryGetValue(p, out var s) || s != PrunableStatus.Eligible) is { } blocked)
            {
                group.PinReason ??= $"'{blocked}' is {(status.TryGetValue(blocked, out var s) ? s.ToString().ToLowerInvariant() : "not prunable")}";
            }
        }

        graph.Groups = roots;
        graph.SegmentedValues = graph._segmented.Select(v => (v.Value, v.Axis, (IReadOnlyList<ChannelGroup>)v.Groups.Select(graph.GroupOf).ToList())).ToList();
        return graph;
    }

    /// <summary>The groups that may be pruned.</summary>
    public IEnumerable<ChannelGroup> Prunable => Groups.Where(g => !g.Pinned);

    private int Find(int id)
    {
        while (_parent[id] != id)
        {
            _parent[id] = _parent[_parent[id]];
            id = _parent[id];
        }

        return id;
    }

    private ChannelGroup GroupOf(int id) => _groups[Find(id)];

    private int NewGroup(int size)
    {
        var id = _groups.Count;
        _groups.Add(new ChannelGroup(id, size));
        _parent.Add(id);
        return id;
    }

    private void Union(int a, int b, string node)
    {
        a = Find(a);
        b = Find(b);
        if (a == b)
        {
            return;
        }

        var (ga, gb) = (_groups[a], _groups[b]);
        if (ga.Size != gb.Size)
        {
            ga.PinReason ??= $"{node} couples {ga.Size} with {gb.Size} channels";
            gb.PinReason ??= ga.PinReason;
        }

        ga.Slices.AddRange(gb.Slices);
        ga.Producers.AddRange(gb.Producers);
        ga.SizeAttributes.AddRange(gb.SizeAttributes);
        ga.ZeroStates.AddRange(gb.ZeroStates);
        ga.Values.AddRange(gb.Values);
        ga.PinReason ??= gb.PinReason;
        _parent[b] = a;
    }

    private void Pin(ChannelLayout layout, string reason)
    {
        foreach (var id in layout.Groups)
        {
            GroupOf(id).PinReason ??= reason;
        }
    }

    private void PinInputs(NodeProto node, string detail)
    {
        var pinned = false;
        foreach (var input in node.Input)
        {
            if (_layouts.TryGetValue(input, out var layout))
            {
                Pin(layout, $"{node.OpType} node '{node.Name}': {detail}");
                pinned = true;
            }
        }

        if (pinned)
        {
            _warnings.Add(TrainingMessages.ChannelsNotPrunable(node.Name, node.OpType, detail));
        }
    }

    private void SetLayout(string value, ChannelLayout layout)
    {
        if (value.Length == 0)
        {
            return;
        }

        _layouts[value] = layout;
        if (layout.Groups.Count == 1)
        {
            GroupOf(layout.Groups[0]).Values.Add((value, layout.Axis));
        }
        else
        {
            _segmented.Add((value, layout.Axis, layout.Groups));
        }
    }

    /// <summary>Adds consumer slices for a tracked input read along <paramref name="axis"/> of weight <paramref name="tensor"/>.</summary>
    private bool AddConsumer(ChannelLayout layout, string tensor, int axis, long axisLength, NodeProto node)
    {
        var total = layout.Groups.Sum(g => GroupOf(g).Size);
        var block = 1;
        if (layout.Flattened)
        {
            if (total == 0 || axisLength % total != 0)
            {
                Pin(layout, $"{node.OpType} '{node.Name}' reads {axisLength} features, not a multiple of {total} flattened channels");
                return false;
            }

            block = (int)(axisLength / total);
        }
        else if (axisLength != total)
        {
            Pin(layout, $"{node.OpType} '{node.Name}' reads {axisLength} channels but {total} arrive");
            return false;
        }

        var offset = 0;
        foreach (var id in layout.Groups)
        {
            var group = GroupOf(id);
            group.Slices.Add(new ChannelSlice(tensor, axis, offset, block, 1, 0, Masked: false));
            offset += group.Size;
        }

        return true;
    }

    /// <summary>A graph initializer operand (a tensor slices may cut), or null.</summary>
    private TensorProto? Weight(NodeProto node, int index) =>
        index < node.Input.Count && _graphInitializers.Contains(node.Input[index]) ? _initializers[node.Input[index]] : null;

    /// <summary>An initializer or Constant-node operand (for shapes, axes and scalars), or null.</summary>
    private TensorProto? Initializer(NodeProto node, int index) =>
        index < node.Input.Count && _initializers.TryGetValue(node.Input[index], out var t) ? t : null;

    private ChannelLayout? LayoutOf(NodeProto node, int index) =>
        index < node.Input.Count && _layouts.TryGetValue(node.Input[index], out var l) ? l : null;

    private static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private static long[]? IntsAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : null;
}

/// <summary>
/// How a value carries tracked channels: along <see cref="Axis"/> (of a tensor of <see cref="Rank"/>, −1 when
/// unknown), the concatenation of <see cref="Groups"/>; <see cref="Flattened"/> when a Flatten merged the channel
/// axis with the axes after it (each channel then is a block of features).
/// </summary>
internal sealed record ChannelLayout(int Axis, int Rank, IReadOnlyList<int> Groups, bool Flattened = false)
{
    /// <summary>The axis of a bidirectional LSTM/GRU output's two directions (each carries all the groups), −1 when none.</summary>
    public int Directions { get; init; } = -1;
}
