using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>GRU</c> with ONNX's gate order z, r, h in W [dirs, 3H, I], R [dirs, 3H, H] and B [dirs, 6H] (Wb then Rb),
/// initial state, forward/reverse/bidirectional, clip, and both linear_before_reset forms.
/// </summary>
[OnnxOperator("GRU", 7)]
[OnnxOperator("GRU", 14)]
public sealed class Gru : RecurrentOperator
{
    private bool _linearBeforeReset;

    /// <inheritdoc />
    protected override int Gates => 3;

    /// <inheritdoc />
    protected override string[] DefaultActivations => ["Sigmoid", "Tanh"];

    /// <inheritdoc />
    protected override void Initialize()
    {
        base.Initialize();
        _linearBeforeReset = Node.Int("linear_before_reset", 0) != 0;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each step is a handful of libtorch calls, not one per gate (the step count times the calls is what a training step
    /// pays): the bias terms that sit outside the reset gate are added to the input projection once for all steps, z and
    /// r come from one sigmoid over [B, 2H], and the new state is one <c>lerp</c> (candidate + z·(h − candidate)).
    /// </remarks>
    protected override (Tensor Y, Tensor H, Tensor? C) RunDirection(int direction, Tensor x, Tensor w, Tensor r, Tensor? b, Tensor h0, Tensor? c0, Tensor? p, bool reverse)
    {
        var hidden = (int)Hidden;
        var projected = x.matmul(w.t());                       // [seq, batch, 3H]
        Tensor? rbh = null;
        if (b is not null)
        {
            // Wb for all three gates, Rb for z and r; Rb_h too unless linear_before_reset puts it inside r ⊙ (·).
            var rb = b[(3 * hidden)..];
            projected = projected.Plus(b[..(3 * hidden)]).Plus(_linearBeforeReset ? cat([rb[..(2 * hidden)], zeros_like(rb[(2 * hidden)..])]) : rb);
            rbh = _linearBeforeReset ? rb[(2 * hidden)..] : null;
        }

        var rzr = r[..(2 * hidden)].t();
        var rh = r[(2 * hidden)..].t();
        var h = h0;
        var steps = new Tensor[x.shape[0]];
        for (var s = 0; s < steps.Length; s++)
        {
            var t = reverse ? steps.Length - 1 - s : s;
            var xp = projected[t];
            var gates = Clip(xp[.., ..(2 * hidden)].Plus(h.matmul(rzr))).sigmoid();
            var z = gates[.., ..hidden];
            var reset = gates[.., hidden..];
            Tensor candidate;
            if (_linearBeforeReset)
            {
                var hr = h.matmul(rh);
                candidate = Clip(xp[.., (2 * hidden)..].Plus(reset * (rbh is null ? hr : hr.Plus(rbh)))).tanh();
            }
            else
            {
                candidate = Clip(xp[.., (2 * hidden)..].Plus((reset * h).matmul(rh))).tanh();
            }

            // (1 - z)·candidate + z·h = candidate + z·(h - candidate), one call and no transient Scalar (see RootedScalars).
            h = candidate.lerp(h, z);
            steps[t] = h;
        }

        return (stack(steps, 0), h, null);
    }
}
