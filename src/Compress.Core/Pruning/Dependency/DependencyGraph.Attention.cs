using Compress.Onnx.Proto;

namespace Compress.Pruning.Dependency;

/// <summary>
/// The rules for self-attention: a MatMul of two activations and the normalizations that mix channels.
/// <para>
/// <c>MatMul(A, B)</c> with A [.., M, K] and B [.., K, N] (both computed at run time, neither an initializer):
/// <list type="bullet">
/// <item>K tracked in both (A's last axis, B's second-to-last, e.g. <c>MatMul(Q, Transpose(K))</c>): channel c of A
/// meets only channel c of B, in the sum over K, so removing c from both producers is exact: their groups join into
/// one, and the output (attention scores) carries no channel.</item>
/// <item>Only B tracked, on N (<c>MatMul(attention, V)</c>): output column n is a combination of B's column n, zero
/// when it is, so the output carries B's groups on its last axis.</item>
/// <item>Only A tracked, on M: likewise, on the output's second-to-last axis.</item>
/// <item>Anything else — K tracked on one side only (the other factor cannot lose the matching slice), a tracked batch
/// axis, an unknown rank — keeps the groups, with a CMP4006 warning naming the node.</item>
/// </list>
/// </para>
/// <para>
/// LayerNormalization over the channel axis and Softmax/LogSoftmax keep the channels that reach them: removing a
/// channel changes the mean and variance of the kept ones, and softmax turns a zero channel into a non-zero one.
/// </para>
/// </summary>
public sealed partial class DependencyGraph
{
    /// <summary>Operators whose output has the rank of their broadcast inputs (used to find ranks of untracked values).</summary>
    private static readonly HashSet<string> RankPreserving = new(StringComparer.Ordinal)
    {
        "Softmax", "LogSoftmax", "Sigmoid", "HardSigmoid", "Softplus", "Exp", "Log", "Add", "Sub", "Mul", "Div", "Where", "Pow", "Reciprocal",
        "LayerNormalization", "BatchNormalization", "InstanceNormalization",
    };

    private Dictionary<string, NodeProto>? _producers;

    private void VisitActivationMatMul(NodeProto node)
    {
        var a = LayoutOf(node, 0);
        var b = LayoutOf(node, 1);
        if (a is null && b is null)
        {
            return;
        }

        var rankA = a?.Rank ?? InferredRank(node.Input[0], 0);
        var rankB = b?.Rank ?? InferredRank(node.Input[1], 0);
        if (rankA < 2 || rankB < 2 || a is { Flattened: true } || b is { Flattened: true } || a is { Directions: >= 0 } || b is { Directions: >= 0 })
        {
            PinInputs(node, "a MatMul of two activations is followed only for operands of known rank ≥ 2 with one channel axis");
            return;
        }

        var rank = Math.Max(rankA, rankB);
        var aOnK = a is not null && a.Axis == rankA - 1;
        var bOnK = b is not null && b.Axis == rankB - 2;
        if (aOnK && bOnK)
        {
            if (a!.Groups.Count != b!.Groups.Count || a.Groups.Zip(b.Groups).Any(p => GroupOf(p.First).Size != GroupOf(p.Second).Size))
            {
                PinInputs(node, "its operands carry different channels on the contracted axis");
                return;
            }

            // Channel c of A and channel c of B meet only in the sum over K: they are removed together.
            foreach (var (ga, gb) in a.Groups.Zip(b.Groups))
            {
                Union(ga, gb, $"MatMul '{node.Name}'");
            }

            return;
        }

        if (a is null && b!.Axis == rankB - 1)
        {
            SetLayout(node.Output[0], b with { Axis = rank - 1, Rank = rank });
            return;
        }

        if (b is null && a!.Axis == rankA - 2)
        {
            SetLayout(node.Output[0], a with { Axis = rank - 2, Rank = rank });
            return;
        }

        PinInputs(node, aOnK || bOnK
            ? "it contracts tracked channels with an operand whose matching axis is not tracked, so that operand cannot lose the same slice"
            : "both operands carry channels on axes that are not contracted together, or on a batch axis");
    }

    /// <summary>LayerNormalization, Softmax and LogSoftmax reading a tracked value: always kept, with the reason.</summary>
    private void VisitChannelMixing(NodeProto node, ChannelLayout input)
    {
        if (node.OpType == "LayerNormalization")
        {
            var axis = IntAttribute(node, "axis", -1);
            var overChannels = input.Rank < 0 || input.Flattened || input.Axis >= (axis < 0 ? axis + input.Rank : axis);
            PinInputs(node, overChannels
                ? "it normalizes over the channel axis, so removing channels would change the mean and variance of the kept ones"
                : "a removed channel would become its normalization bias instead of staying zero");
            return;
        }

        PinInputs(node, "softmax makes a removed (zero) channel non-zero, and over the channel axis it mixes channels");
    }

    /// <summary>The rank of a value the analysis does not track: from graph inputs and value_info, or from the operators that computed it; −1 when unknown.</summary>
    private int InferredRank(string value, int depth)
    {
        if (_layouts.TryGetValue(value, out var layout))
        {
            return layout.Rank;
        }

        if (_initializers.TryGetValue(value, out var t))
        {
            return t.Dims.Count;
        }

        var known = RankOf(value);
        _producers ??= _model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).GroupBy(p => p.o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().n, StringComparer.Ordinal);
        if (known >= 0 || depth > 32 || !_producers.TryGetValue(value, out var node))
        {
            return known;
        }

        var inputs = node.Input.Where(i => i.Length > 0).Select(i => InferredRank(i, depth + 1)).ToList();
        switch (node.OpType)
        {
            case "MatMul" when inputs.Count == 2 && inputs.All(r => r >= 2):
                return inputs.Max();
            case "Transpose" when IntsAttribute(node, "perm") is { } perm:
                return perm.Length;
            case var op when (RankPreserving.Contains(op) || ZeroPreserving.Contains(op)) && inputs.Count > 0 && inputs.All(r => r >= 0):
                return inputs.Max();
            default:
                return -1;
        }
    }
}
