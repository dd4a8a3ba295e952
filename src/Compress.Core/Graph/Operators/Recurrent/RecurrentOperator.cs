using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// Shared plumbing of LSTM and GRU: attributes (direction, hidden_size, clip, layout, activations — only the
/// defaults are supported), the input projection of all time steps at once, and packing per-direction results into
/// ONNX's Y [seq, num_directions, batch, hidden] and Y_h [num_directions, batch, hidden] (layout 0), or the
/// batch-first layout 1. Weights stay the ONNX tensors W, R, B, so pruning and export address them by name.
/// </summary>
public abstract class RecurrentOperator : OnnxOperator
{
    /// <summary>Number of gates (4 for LSTM, 3 for GRU).</summary>
    protected abstract int Gates { get; }

    /// <summary>The activations the operator implements, per direction, as ONNX names.</summary>
    protected abstract string[] DefaultActivations { get; }

    /// <summary>hidden_size.</summary>
    protected long Hidden { get; private set; }

    /// <summary>clip (0 = none): pre-activations are clamped to [−clip, clip].</summary>
    protected float ClipValue { get; private set; }

    /// <summary>"forward", "reverse" or "bidirectional".</summary>
    protected string Direction { get; private set; } = "forward";

    private long _layout;

    /// <inheritdoc />
    protected override void Initialize()
    {
        Hidden = Node.RequiredInt("hidden_size");
        ClipValue = Node.Float("clip", 0);
        Direction = Node.String("direction", "forward");
        _layout = Node.Int("layout", 0);
        if (Direction is not ("forward" or "reverse" or "bidirectional"))
        {
            throw Node.Invalid($"direction '{Direction}' is not one of forward, reverse, bidirectional");
        }

        if (Node.Strings("activations") is { } activations)
        {
            var directions = Direction == "bidirectional" ? 2 : 1;
            var expected = Enumerable.Repeat(DefaultActivations, directions).SelectMany(a => a).ToArray();
            if (!activations.SequenceEqual(expected, StringComparer.OrdinalIgnoreCase))
            {
                throw Node.Invalid($"activations [{string.Join(", ", activations)}] are not supported; only the defaults [{string.Join(", ", expected)}] are");
            }
        }
    }

    /// <summary>
    /// Checks every operand against X [seq, batch, input] (after layout) before any native call: libtorch's matmul
    /// errors are not catchable through TorchSharp, so a malformed model must fail here, as CMP2106.
    /// </summary>
    private void CheckShapes(int directions, Tensor x, Tensor w, Tensor r, Tensor? b, Tensor? h0, Tensor? c0, Tensor? p)
    {
        if (x.dim() != 3)
        {
            throw Node.Failed($"X must have rank 3 [seq, batch, input], not [{string.Join(",", x.shape)}]");
        }

        long gates = Gates * Hidden, batch = x.shape[1];
        Expect("W", w, directions, gates, x.shape[2]);
        Expect("R", r, directions, gates, Hidden);
        Expect("B", b, directions, 2 * gates);
        Expect("initial_h", h0, directions, batch, Hidden);
        Expect("initial_c", c0, directions, batch, Hidden);
        Expect("P", p, directions, 3 * Hidden);

        void Expect(string name, Tensor? t, params long[] shape)
        {
            if (t is not null && (t.dtype != x.dtype || !t.shape.SequenceEqual(shape)))
            {
                throw Node.Failed($"{name} is [{string.Join(",", t.shape)}] ({t.dtype}) but must be [{string.Join(",", shape)}] ({x.dtype}) for hidden_size {Hidden}, direction {Direction} and X [{string.Join(",", x.shape)}]");
            }
        }
    }

    /// <summary>Applies clip to a pre-activation.</summary>
    protected Tensor Clip(Tensor preActivation) => ClipValue > 0 ? preActivation.clamp(RootedScalars.Of(-ClipValue), RootedScalars.Of(ClipValue)) : preActivation;

    /// <summary>Runs one direction over the sequence; returns (Y per step [seq, batch, hidden], last H, last C or null).</summary>
    protected abstract (Tensor Y, Tensor H, Tensor? C) RunDirection(int direction, Tensor x, Tensor w, Tensor r, Tensor? b, Tensor h0, Tensor? c0, Tensor? p, bool reverse);

    /// <inheritdoc />
    public sealed override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        if (_layout == 1)
        {
            x = x.transpose(0, 1);
        }

        var w = Input(inputs, 1);
        var r = Input(inputs, 2);
        var b = Optional(inputs, 3);
        var lengths = Optional(inputs, 4);
        var h0 = Optional(inputs, 5);
        var c0 = Gates == 4 ? Optional(inputs, 6) : null;
        var p = Gates == 4 ? Optional(inputs, 7) : null;
        if (_layout == 1)
        {
            h0 = h0?.transpose(0, 1);
            c0 = c0?.transpose(0, 1);
        }

        var directions = Direction == "bidirectional" ? 2 : 1;
        CheckShapes(directions, x, w, r, b, h0, c0, p);
        var seq = x.shape[0];
        var batch = x.shape[1];
        if (lengths is not null && ToLongs(lengths).Any(l => l != seq))
        {
            throw Node.Invalid("sequence_lens shorter than the sequence are not supported; pad or trim the batch to equal lengths");
        }

        var ys = new List<Tensor>();
        var hs = new List<Tensor>();
        var cs = new List<Tensor>();
        for (var d = 0; d < directions; d++)
        {
            var initialH = h0 is null ? zeros(batch, Hidden, dtype: x.dtype) : h0[d];
            var initialC = Gates == 4 ? (c0 is null ? zeros(batch, Hidden, dtype: x.dtype) : c0[d]) : null;
            var reverse = Direction == "reverse" || d == 1;
            var (y, h, c) = RunDirection(d, x, w[d], r[d], b?[d], initialH, initialC, p?[d], reverse);
            ys.Add(y);
            hs.Add(h);
            if (c is not null)
            {
                cs.Add(c);
            }
        }

        var yAll = stack(ys, 1);           // [seq, dirs, batch, hidden]
        var hAll = stack(hs, 0);           // [dirs, batch, hidden]
        var cAll = cs.Count > 0 ? stack(cs, 0) : null;
        if (_layout == 1)
        {
            yAll = yAll.permute(2, 0, 1, 3);
            hAll = hAll.transpose(0, 1);
            cAll = cAll?.transpose(0, 1);
        }

        return cAll is null ? [yAll, hAll] : [yAll, hAll, cAll];
    }
}
