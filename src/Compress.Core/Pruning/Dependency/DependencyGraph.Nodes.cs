using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;

namespace Compress.Pruning.Dependency;

/// <summary>The per-operator rules of the dependency analysis.</summary>
public sealed partial class DependencyGraph
{
    /// <summary>Operators that map a zero channel to a zero channel and keep the shape.</summary>
    private static readonly HashSet<string> ZeroPreserving = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Tanh", "Elu", "Selu", "Celu", "HardSwish", "Gelu", "Mish", "Clip", "Dropout", "Identity", "Neg", "Abs", "Sqrt", "Erf", "Sign", "Cast",
    };

    /// <summary>Operators whose output holds only elements of input 0 (selected, copied, repeated or rearranged): all zeros when it is.</summary>
    private static readonly HashSet<string> ZeroSelecting = new(StringComparer.Ordinal)
    {
        "Expand", "Identity", "Cast", "Slice", "Squeeze", "Unsqueeze", "Reshape", "Flatten", "Transpose", "Gather", "Tile",
    };

    /// <summary>Spatial pooling: channel axis 1 stays, zero stays zero.</summary>
    private static readonly HashSet<string> Pooling = new(StringComparer.Ordinal) { "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool" };

    private void Visit(NodeProto node)
    {
        if (node.OpType == "Constant" && node.Output.Count == 1 && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } constant)
        {
            // Constant nodes (shapes, axes, scalars) read like initializers.
            var copy = constant.Clone();
            copy.Name = node.Output[0];
            _initializers[node.Output[0]] = copy;
            return;
        }

        // Zeros stay zeros through ops that only select, copy or rearrange input 0's elements: PyTorch slices a
        // multi-layer LSTM's initial states from one ConstantOfShape, and Concat of zeros is zero.
        if ((node.OpType == "ConstantOfShape" && IsZeroFill(node))
            || (ZeroSelecting.Contains(node.OpType) && node.Input.Count > 0 && IsZero(node.Input[0]))
            || (node.OpType == "Concat" && node.Input.Count > 0 && node.Input.All(IsZero)))
        {
            _zeros.Add(node.Output[0]);
        }

        var tracked = node.Input.Any(_layouts.ContainsKey);
        switch (node.OpType)
        {
            case "Conv":
                VisitConv(node);
                return;
            case "ConvTranspose":
                VisitConvTranspose(node);
                return;
            case "Gemm":
                VisitGemm(node);
                return;
            case "MatMul":
                VisitMatMul(node);
                return;
            case "LSTM" or "GRU":
                VisitRecurrent(node);
                return;
        }

        if (!tracked)
        {
            return;
        }

        var input = node.Input.Select(n => _layouts.GetValueOrDefault(n)).First(l => l is not null)!;
        switch (node.OpType)
        {
            case var op when ZeroPreserving.Contains(op) && node.Input.Count >= 1 && _layouts.ContainsKey(node.Input[0]) && (op != "PRelu" || IsScalar(Initializer(node, 1))):
                SetLayout(node.Output[0], input);
                break;
            case var op when Pooling.Contains(op) && input.Axis == 1 && !input.Flattened:
                SetLayout(node.Output[0], input);
                break;
            case "BatchNormalization" or "InstanceNormalization" when node.Input[0].Length > 0 && _layouts.ContainsKey(node.Input[0]) && input.Axis == 1 && !input.Flattened:
                VisitNormalization(node, input);
                break;
            case "Add" or "Sub" or "Max" or "Min" or "Sum" or "Mul" or "Div":
                VisitElementwise(node);
                break;
            case "Concat":
                VisitConcat(node);
                break;
            case "Flatten" when input.Axis == IntAttribute(node, "axis", 1) && !input.Flattened:
                SetLayout(node.Output[0], input with { Rank = input.Axis + 1, Flattened = input.Rank < 0 || input.Rank > input.Axis + 1 });
                break;
            case "Squeeze" or "Unsqueeze":
                VisitSqueeze(node, input);
                break;
            case "Reshape" when input.Axis == 1 && !input.Flattened && Initializer(node, 1) is { } shape && IsFlattenShape(ReadInts(shape)):
                SetLayout(node.Output[0], input with { Rank = 2, Flattened = input.Rank != 2 });
                break;
            case "Reshape" when input.Directions >= 0 && Initializer(node, 1) is { } shape && MergesDirections(input, ReadInts(shape)):
                // [.., 2, H] → [.., 2H] (PyTorch's bidirectional output): forward units, then backward units, one group.
                SetLayout(node.Output[0], input with { Axis = input.Rank - 2, Rank = input.Rank - 1, Groups = [.. input.Groups, .. input.Groups], Directions = -1 });
                break;
            case "Gather" when node.Input[0] == node.Input.First(_layouts.ContainsKey) && !input.Flattened && input.Rank > 0 && Initializer(node, 1) is { } indices:
                VisitGather(node, input, indices);
                break;
            case "Transpose" when IntsAttribute(node, "perm") is { } perm && !input.Flattened:
                SetLayout(node.Output[0], input with { Axis = Array.IndexOf(perm, (long)input.Axis), Directions = input.Directions < 0 ? -1 : Array.IndexOf(perm, (long)input.Directions) });
                break;
            case "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" when !input.Flattened:
                VisitReduce(node, input);
                break;
            case "LayerNormalization" or "Softmax" or "LogSoftmax":
                VisitChannelMixing(node, input);
                break;
            case "Shape" when ReadsOnlyOtherAxes(node, input):
                // Only other axes' sizes are read (PyTorch builds a GRU/LSTM's zero initial state from the batch size
                // of its input): the channel count never is, so the channels stay free and nothing is tracked on.
                break;
            default:
                PinInputs(node, "the dependency analysis does not follow channels through this operator");
                break;
        }
    }

    private void VisitConv(NodeProto node)
    {
        var w = Weight(node, 1);
        var input = LayoutOf(node, 0);
        if (w is null || w.Dims.Count < 3)
        {
            PinInputs(node, "the weight is not an initializer");
            return;
        }

        var group = IntAttribute(node, "group", 1);
        var outChannels = (int)w.Dims[0];
        var bias = Weight(node, 2);
        if (bias is null && node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            PinInputs(node, "the bias is not an initializer");
            return;
        }

        if (group == 1)
        {
            if (input is not null && !(input.Axis == 1 && !input.Flattened && AddConsumer(input, w.Name, 1, w.Dims[1], node)))
            {
                Pin(input, $"Conv '{node.Name}' reads an unexpected layout");
            }

            var id = NewGroup(outChannels);
            var g = _groups[id];
            g.Slices.Add(new ChannelSlice(w.Name, 0, 0, 1, 1, 0, Masked: true));
            g.Producers.Add(w.Name);
            if (bias is not null)
            {
                g.Slices.Add(new ChannelSlice(bias.Name, 0, 0, 1, 1, 0, Masked: true));
            }

            SetLayout(node.Output[0], new ChannelLayout(1, w.Dims.Count, [id]));
            return;
        }

        if (input is not null && input.Axis == 1 && input.Groups.Count == 1 && group == outChannels && w.Dims[1] == 1 && GroupOf(input.Groups[0]).Size == group)
        {
            // Depthwise: channel c of the output reads only channel c of the input.
            var g = GroupOf(input.Groups[0]);
            g.Slices.Add(new ChannelSlice(w.Name, 0, 0, 1, 1, 0, Masked: true));
            g.Producers.Add(w.Name);
            if (bias is not null)
            {
                g.Slices.Add(new ChannelSlice(bias.Name, 0, 0, 1, 1, 0, Masked: true));
            }

            g.SizeAttributes.Add((node, "group"));
            SetLayout(node.Output[0], input with { Rank = w.Dims.Count });
            return;
        }

        PinInputs(node, $"grouped convolution (group {group}) is kept whole");
    }

    private void VisitConvTranspose(NodeProto node)
    {
        var w = Weight(node, 1);
        var input = LayoutOf(node, 0);
        if (w is null || IntAttribute(node, "group", 1) != 1 || (Weight(node, 2) is null && node.Input.Count > 2 && node.Input[2].Length > 0))
        {
            PinInputs(node, "only ConvTranspose with initializer weight and bias and group 1 is followed");
            return;
        }

        if (input is not null && !(input.Axis == 1 && !input.Flattened && AddConsumer(input, w.Name, 0, w.Dims[0], node)))
        {
            Pin(input, $"ConvTranspose '{node.Name}' reads an unexpected layout");
        }

        var id = NewGroup((int)w.Dims[1]);
        _groups[id].Slices.Add(new ChannelSlice(w.Name, 1, 0, 1, 1, 0, Masked: true));
        _groups[id].Producers.Add(w.Name);
        if (Weight(node, 2) is { } bias)
        {
            _groups[id].Slices.Add(new ChannelSlice(bias.Name, 0, 0, 1, 1, 0, Masked: true));
        }

        SetLayout(node.Output[0], new ChannelLayout(1, w.Dims.Count, [id]));
    }

    private void VisitGemm(NodeProto node)
    {
        var b = Weight(node, 1);
        var input = LayoutOf(node, 0);
        if (b is null || b.Dims.Count != 2 || IntAttribute(node, "transA", 0) != 0 || (Weight(node, 2) is null && node.Input.Count > 2 && node.Input[2].Length > 0))
        {
            PinInputs(node, "only Gemm with initializer B (and C) and transA = 0 is followed");
            return;
        }

        var transB = IntAttribute(node, "transB", 0) != 0;
        var kAxis = transB ? 1 : 0;
        if (input is not null && !(input.Axis == 1 && AddConsumer(input, b.Name, kAxis, b.Dims[kAxis], node)))
        {
            Pin(input, $"Gemm '{node.Name}' reads an unexpected layout");
        }

        var id = NewGroup((int)b.Dims[1 - kAxis]);
        _groups[id].Slices.Add(new ChannelSlice(b.Name, 1 - kAxis, 0, 1, 1, 0, Masked: true));
        _groups[id].Producers.Add(b.Name);
        if (Weight(node, 2) is { } c)
        {
            if (c.Dims.Count >= 1 && c.Dims[^1] == b.Dims[1 - kAxis] && c.Dims.Take(c.Dims.Count - 1).All(d => d == 1))
            {
                _groups[id].Slices.Add(new ChannelSlice(c.Name, c.Dims.Count - 1, 0, 1, 1, 0, Masked: true));
            }
            else if (!IsScalar(c))
            {
                _groups[id].PinReason = $"Gemm '{node.Name}' has a bias C that is not per output";
            }
            else
            {
                _groups[id].PinReason = $"Gemm '{node.Name}' adds a scalar C, so a removed output would not be zero";
            }
        }

        SetLayout(node.Output[0], new ChannelLayout(1, 2, [id]));
    }

    private void VisitMatMul(NodeProto node)
    {
        if (Initializer(node, 0) is null && Initializer(node, 1) is null)
        {
            VisitActivationMatMul(node);
            return;
        }

        var b = Weight(node, 1);
        var input = LayoutOf(node, 0);
        if (b is null || b.Dims.Count != 2 || LayoutOf(node, 1) is not null)
        {
            PinInputs(node, "only MatMul by a 2-D initializer is followed");
            return;
        }

        if (input is not null && !((input.Axis == input.Rank - 1 || input.Flattened) && AddConsumer(input, b.Name, 0, b.Dims[0], node)))
        {
            Pin(input, $"MatMul '{node.Name}' reads the tracked channels on an axis other than the last");
        }

        var rank = input?.Rank ?? InferredRank(node.Input[0], 0);
        var id = NewGroup((int)b.Dims[1]);
        _groups[id].Slices.Add(new ChannelSlice(b.Name, 1, 0, 1, 1, 0, Masked: true));
        _groups[id].Producers.Add(b.Name);
        SetLayout(node.Output[0], new ChannelLayout(rank < 0 ? -1 : rank - 1, rank, [id]));
        if (rank < 0)
        {
            _groups[id].PinReason = $"the rank of MatMul '{node.Name}''s input is unknown";
        }
    }

    private void VisitRecurrent(NodeProto node)
    {
        var gates = node.OpType == "LSTM" ? 4 : 3;
        var w = Weight(node, 1);
        var r = Weight(node, 2);
        var input = LayoutOf(node, 0);
        if (w is null || r is null)
        {
            PinInputs(node, "W and R must be initializers");
            return;
        }

        if (input is not null && !(input.Axis == 2 && input.Rank == 3 && AddConsumer(input, w.Name, 2, w.Dims[2], node)))
        {
            Pin(input, $"{node.OpType} '{node.Name}' reads an unexpected layout");
        }

        var hidden = (int)IntAttribute(node, "hidden_size", r.Dims[2]);
        var id = NewGroup(hidden);
        var g = _groups[id];
        g.Slices.Add(new ChannelSlice(w.Name, 1, 0, 1, gates, hidden, Masked: true));
        g.Slices.Add(new ChannelSlice(r.Name, 1, 0, 1, gates, hidden, Masked: true));
        g.Slices.Add(new ChannelSlice(r.Name, 2, 0, 1, 1, 0, Masked: false));
        g.Producers.Add(w.Name);
        g.Producers.Add(r.Name);
        if (Weight(node, 3) is { } b)
        {
            g.Slices.Add(new ChannelSlice(b.Name, 1, 0, 1, 2 * gates, hidden, Masked: true));
        }
        else if (node.Input.Count > 3 && node.Input[3].Length > 0)
        {
            g.PinReason = $"{node.OpType} '{node.Name}' has a bias that is not an initializer";
        }

        // A removed unit must stay zero at every step: an initial state of constant zeros (PyTorch exports one) keeps it zero.
        var states = node.OpType == "LSTM" ? new[] { (5, "initial_h"), (6, "initial_c"), (7, "peepholes P") } : new[] { (5, "initial_h") };
        foreach (var (index, what) in states.Where(s => s.Item1 < node.Input.Count && node.Input[s.Item1].Length > 0))
        {
            if (index == 7 || !IsZero(node.Input[index]))
            {
                var detail = index == 7 ? "set" : Weight(node, index) is not null || Initializer(node, index) is not null ? "a constant that is not all zeros" : "computed or fed at run time";
                g.PinReason = $"{node.OpType} '{node.Name}' has {what} {detail}, so removed units would not stay zero";
                _warnings.Add(TrainingMessages.RecurrentStateNotZero(node.Name, node.OpType, what, detail));
                break;
            }

            g.ZeroStates.Add((node, index));
        }

        g.SizeAttributes.Add((node, "hidden_size"));
        var bidirectional = w.Dims[0] == 2;
        for (var i = 0; i < node.Output.Count; i++)
        {
            // Y is [T, directions, N, H]; Y_h and Y_c are [directions, N, H].
            SetLayout(node.Output[i], i == 0
                ? new ChannelLayout(3, 4, [id]) { Directions = bidirectional ? 1 : -1 }
                : new ChannelLayout(2, 3, [id]) { Directions = bidirectional ? 0 : -1 });
        }
    }

    private void VisitNormalization(NodeProto node, ChannelLayout input)
    {
        for (var i = 1; i < node.Input.Count && i <= 4; i++)
        {
            if (Weight(node, i) is { } t)
            {
                // One slice per segment: after a Concat the parameters hold each branch's channels in turn.
                var offset = 0;
                foreach (var id in input.Groups)
                {
                    var g = GroupOf(id);
                    g.Slices.Add(new ChannelSlice(t.Name, 0, offset, 1, 1, 0, Masked: i <= 2));
                    offset += g.Size;
                }
            }
            else
            {
                Pin(input, $"{node.OpType} '{node.Name}' has a parameter that is not an initializer");
            }
        }

        SetLayout(node.Output[0], input);
    }

    private void VisitElementwise(NodeProto node)
    {
        var layouts = node.Input.Select(n => _layouts.GetValueOrDefault(n)).ToList();
        var tracked = layouts.Where(l => l is not null).Select(l => l!).ToList();
        var first = tracked[0];
        var multiplicative = node.OpType is "Mul" or "Div";
        for (var i = 0; i < node.Input.Count; i++)
        {
            if (layouts[i] is { } l)
            {
                if (l.Axis != first.Axis || l.Flattened != first.Flattened || l.Groups.Count != first.Groups.Count)
                {
                    PinInputs(node, "its operands carry channels differently");
                    return;
                }

                for (var s = 0; s < l.Groups.Count; s++)
                {
                    Union(first.Groups[s], l.Groups[s], $"{node.OpType} '{node.Name}'");
                }
            }
            else if (multiplicative && (i == 1 || node.OpType == "Mul") && (IsScalar(Initializer(node, i)) || IsScalarOrPerChannel(Weight(node, i), first)))
            {
                if (Weight(node, i) is { } factor && !IsScalar(factor))
                {
                    GroupOf(first.Groups[0]).Slices.Add(new ChannelSlice(factor.Name, factor.Dims.Count - (first.Rank - first.Axis), 0, 1, 1, 0, Masked: false));
                }
            }
            else if (node.OpType is "Add" or "Sub" && Weight(node, i) is { } bias && !IsScalar(bias) && IsScalarOrPerChannel(bias, first))
            {
                // A per-channel bias (MatMul + Add as PyTorch exports Linear): masked with the channels, so they stay zero.
                GroupOf(first.Groups[0]).Slices.Add(new ChannelSlice(bias.Name, bias.Dims.Count - (first.Rank - first.Axis), 0, 1, 1, 0, Masked: true));
            }
            else
            {
                // Adding a constant (or a value the analysis does not track) would make a removed channel non-zero.
                PinInputs(node, "an operand is not a tracked value, a per-channel bias or a scalar/per-channel factor");
                return;
            }
        }

        SetLayout(node.Output[0], first with { Groups = first.Groups.Select(Find).ToArray() });
    }

    private void VisitConcat(NodeProto node)
    {
        var layouts = node.Input.Select(n => _layouts.GetValueOrDefault(n)).ToList();
        var axis = IntAttribute(node, "axis", 0);
        var first = layouts.First(l => l is not null)!;
        if (layouts.Any(l => l is null || l.Flattened) || (axis != first.Axis && !(axis < 0 && first.Rank > 0 && axis + first.Rank == first.Axis)) || layouts.Any(l => l!.Axis != first.Axis))
        {
            PinInputs(node, "only a concatenation of tracked values along their channel axis is followed");
            return;
        }

        SetLayout(node.Output[0], first with { Groups = layouts.SelectMany(l => l!.Groups).Select(Find).ToArray() });
    }

    private void VisitSqueeze(NodeProto node, ChannelLayout input)
    {
        var axes = IntsAttribute(node, "axes") ?? (Initializer(node, 1) is { } t ? ReadInts(t) : null);
        var unsqueeze = node.OpType == "Unsqueeze";
        var outputRank = input.Rank < 0 || axes is null ? -1 : unsqueeze ? input.Rank + axes.Length : input.Rank - axes.Length;
        if (axes is null || input.Rank < 0 || input.Flattened)
        {
            PinInputs(node, "the axes or the input rank are not known");
            return;
        }

        var normal = axes.Select(a => a < 0 ? a + (unsqueeze ? outputRank : input.Rank) : a).OrderBy(a => a).ToArray();
        int axis;
        if (unsqueeze)
        {
            axis = input.Axis;
            foreach (var a in normal)
            {
                if (a <= axis)
                {
                    axis++;
                }
            }
        }
        else
        {
            if (normal.Contains(input.Axis))
            {
                PinInputs(node, "it removes the channel axis");
                return;
            }

            axis = input.Axis - normal.Count(a => a < input.Axis);
        }

        var directions = input.Directions < 0 || (!unsqueeze && normal.Contains(input.Directions)) ? -1
            : unsqueeze ? normal.Aggregate(input.Directions, (d, a) => a <= d ? d + 1 : d)
            : input.Directions - normal.Count(a => a < input.Directions);
        SetLayout(node.Output[0], input with { Axis = axis, Rank = outputRank, Directions = directions });
    }

    private void VisitReduce(NodeProto node, ChannelLayout input)
    {
        var axes = IntsAttribute(node, "axes") ?? (Initializer(node, 1) is { } t ? ReadInts(t) : null);
        if (axes is null || input.Rank < 0)
        {
            PinInputs(node, "a reduction over all axes (or an unknown rank) mixes channels");
            return;
        }

        var normal = axes.Select(a => a < 0 ? a + input.Rank : a).ToArray();
        if (normal.Contains(input.Axis))
        {
            PinInputs(node, node.OpType == "ReduceMean"
                ? "it averages over the channel axis (as a LayerNorm does), so removing channels would change the mean of the kept ones"
                : "it reduces over the channel axis");
            return;
        }

        var keep = IntAttribute(node, "keepdims", 1) != 0;
        SetLayout(node.Output[0], keep ? input : input with { Axis = input.Axis - normal.Count(a => a < input.Axis), Rank = input.Rank - normal.Length });
    }

    private void VisitGather(NodeProto node, ChannelLayout input, TensorProto indices)
    {
        var axis = IntAttribute(node, "axis", 0);
        axis = axis < 0 ? axis + input.Rank : axis;
        if (axis == input.Axis || axis == input.Directions)
        {
            PinInputs(node, "it gathers along the channel or direction axis");
            return;
        }

        // A scalar index removes the axis; indices of rank k replace it with k axes.
        var delta = indices.Dims.Count - 1;
        int Moved(int a) => a < 0 ? -1 : a > axis ? a + delta : a;
        SetLayout(node.Output[0], input with { Axis = Moved(input.Axis), Rank = input.Rank + delta, Directions = Moved(input.Directions) });
    }

    /// <summary>Whether <paramref name="value"/> is all zeros for certain: a zero initializer or Constant, ConstantOfShape of zero, or <see cref="ZeroSelecting"/>/Concat of zeros.</summary>
    private bool IsZero(string value) =>
        _zeros.Contains(value) || (_initializers.TryGetValue(value, out var t) && TensorStatistics.CountZeros(t) is { } zeros && zeros == TensorStatistics.SafeCount(t.Dims));

    private static bool IsZeroFill(NodeProto node) =>
        node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is not { } fill || TensorStatistics.CountZeros(fill) == TensorStatistics.SafeCount(fill.Dims);

    /// <summary>
    /// A Reshape of [.., 2, H] (directions just before the channel axis, which is last) into [.., -1] = [.., 2H],
    /// keeping the leading axes. The merged axis must be −1 (as PyTorch exports it), so the shape still holds once
    /// units are removed: an explicit 2H would be left naming the old size by the shrunk export (ONNX Runtime then
    /// refuses the file), so that Reshape is not followed and the units are kept.
    /// </summary>
    private static bool MergesDirections(ChannelLayout input, long[] shape) =>
        input.Rank >= 2 && input.Axis == input.Rank - 1 && input.Directions == input.Rank - 2 && shape.Length == input.Rank - 1
            && shape[^1] == -1 && shape.SkipLast(1).All(d => d >= 0);

    /// <summary>
    /// A Shape (whole, no start/end) whose every reader is a Gather on axis 0 of constant indices off the channel axis,
    /// and which is no graph output: what it gives does not depend on the number of channels.
    /// </summary>
    private bool ReadsOnlyOtherAxes(NodeProto shape, ChannelLayout input)
    {
        if (shape.Attribute.Any(a => a.Name is "start" or "end") || _model.Graph.Output.Any(o => o.Name == shape.Output[0]))
        {
            return false;
        }

        var readers = _model.Graph.Node.Where(n => n.Input.Contains(shape.Output[0])).ToList();
        return readers.Count > 0 && readers.All(r => r.OpType == "Gather" && r.Input.Count == 2 && r.Input[0] == shape.Output[0] && r.Input[1] != shape.Output[0]
            && IntAttribute(r, "axis", 0) == 0 && ConstantInts(r.Input[1]) is { } indices
            && indices.All(i => i >= 0 ? i != input.Axis : input.Rank > 0 && i + input.Rank != input.Axis));
    }

    /// <summary>The integer values of an initializer or of a Constant node's output (visited yet or not), or null.</summary>
    private long[]? ConstantInts(string value)
    {
        var tensor = _initializers.GetValueOrDefault(value)
            ?? _model.Graph.Node.FirstOrDefault(n => n.OpType == "Constant" && n.Output.Count == 1 && n.Output[0] == value)?.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        return tensor is { DataType: (int)TensorProto.Types.DataType.Int64 } ? ReadInts(tensor) : null;
    }

    /// <summary>A Reshape to [batch, −1] (batch given as 0 = copy, or as a number): a Flatten at axis 1 whose size follows the channels.</summary>
    private static bool IsFlattenShape(long[] shape) => shape.Length == 2 && shape[1] == -1 && shape[0] >= 0;

    private int RankOf(string value)
    {
        var info = _model.Graph.Input.Concat(_model.Graph.ValueInfo).FirstOrDefault(v => v.Name == value);
        return info?.Type?.TensorType?.Shape?.Dim.Count ?? -1;
    }

    private bool IsScalarOrPerChannel(TensorProto? t, ChannelLayout layout)
    {
        if (t is null)
        {
            return false;
        }

        if (IsScalar(t))
        {
            return true;
        }

        if (layout.Groups.Count != 1 || layout.Rank < 0)
        {
            return false;
        }

        var aligned = t.Dims.Count - (layout.Rank - layout.Axis);
        return aligned >= 0 && t.Dims[aligned] == GroupOf(layout.Groups[0]).Size && t.Dims.Where((d, i) => i != aligned).All(d => d == 1);
    }

    private static bool IsScalar(TensorProto? t) => t is not null && t.Dims.Aggregate(1L, (a, d) => a * d) == 1;

    private static long[] ReadInts(TensorProto t) =>
        t.Int64Data.Count > 0 ? t.Int64Data.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray();
}
