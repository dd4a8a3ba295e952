using Compress.Onnx.Proto;

namespace Compress.Pruning.Dependency;

/// <summary>
/// Where one channel of a <see cref="ChannelGroup"/> lives in a tensor: along <see cref="Axis"/>, channel c
/// occupies the indices r·<see cref="Stride"/> + (<see cref="Offset"/> + c)·<see cref="Block"/> + j for
/// r in [0, <see cref="Repeats"/>) and j in [0, <see cref="Block"/>). Repeats cover gate blocks (LSTM/GRU W, R, B);
/// Block covers Flatten→Gemm feature blocks; Offset covers Concat segments. <see cref="Masked"/> slices are
/// zeroed while training (the ones that make the channel's output exactly zero); the others are only cut.
/// </summary>
public sealed record ChannelSlice(string Tensor, int Axis, int Offset, int Block, int Repeats, int Stride, bool Masked)
{
    /// <summary>The indices channel <paramref name="channel"/> occupies along <see cref="Axis"/>.</summary>
    public IEnumerable<long> IndicesOf(int channel)
    {
        for (var r = 0; r < Repeats; r++)
        {
            for (var j = 0; j < Block; j++)
            {
                yield return ((long)r * Stride) + ((long)(Offset + channel) * Block) + j;
            }
        }
    }
}

/// <summary>
/// A set of channels that must be removed together: a Conv's or Gemm's output channels, everything that carries
/// them (BatchNormalization, depthwise Conv, activations, residual Add partners) and the input slices of the
/// layers that read them; or an LSTM/GRU's hidden units across its gates. <see cref="Pinned"/> groups are never
/// pruned (graph outputs, first/last layers, nodes the analysis cannot see through).
/// </summary>
public sealed class ChannelGroup
{
    internal ChannelGroup(int id, int size)
    {
        Id = id;
        Size = size;
    }

    /// <summary>An identifier, stable for a model.</summary>
    public int Id { get; }

    /// <summary>Number of channels.</summary>
    public int Size { get; }

    /// <summary>Every tensor slice the channels occupy.</summary>
    public List<ChannelSlice> Slices { get; } = [];

    /// <summary>Prunable weight tensors (Conv, Gemm, MatMul, LSTM/GRU weights) that produce or carry the channels.</summary>
    public List<string> Producers { get; } = [];

    /// <summary>Node attributes that hold the channel count (depthwise <c>group</c>, <c>hidden_size</c>).</summary>
    public List<(NodeProto Node, string Attribute)> SizeAttributes { get; } = [];

    /// <summary>
    /// LSTM/GRU initial-state inputs (node, input index) that are constant zeros: the export drops them (an absent
    /// state is zero), since their shape still names the old hidden size.
    /// </summary>
    public List<(NodeProto Node, int Input)> ZeroStates { get; } = [];

    /// <summary>Graph values that carry the channels, and on which axis (to fix value_info shapes).</summary>
    public List<(string Value, int Axis)> Values { get; } = [];

    /// <summary>True when the group must keep all its channels; <see cref="PinReason"/> says why.</summary>
    public bool Pinned => PinReason is not null;

    /// <summary>Why the group is pinned, or null.</summary>
    public string? PinReason { get; internal set; }
}
