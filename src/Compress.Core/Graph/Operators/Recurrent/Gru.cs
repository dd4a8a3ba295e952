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
    protected override (Tensor Y, Tensor H, Tensor? C) RunDirection(int direction, Tensor x, Tensor w, Tensor r, Tensor? b, Tensor h0, Tensor? c0, Tensor? p, bool reverse)
    {
        var hidden = (int)Hidden;
        var projected = x.matmul(w.t());                       // [seq, batch, 3H]
        Tensor? rb = null;
        if (b is not null)
        {
            projected = projected.Plus(b[..(3 * hidden)]);
            rb = b[(3 * hidden)..];
        }

        var rzr = r[..(2 * hidden)].t();
        var rh = r[(2 * hidden)..].t();
        var h = h0;
        var steps = new Tensor[x.shape[0]];
        for (var s = 0; s < steps.Length; s++)
        {
            var t = reverse ? steps.Length - 1 - s : s;
            var xp = projected[t];
            var recurrent = h.matmul(rzr);
            if (rb is not null)
            {
                recurrent = recurrent.Plus(rb[..(2 * hidden)]);
            }

            var z = Clip(xp[.., ..hidden].Plus(recurrent[.., ..hidden])).sigmoid();
            var reset = Clip(xp[.., hidden..(2 * hidden)].Plus(recurrent[.., hidden..])).sigmoid();
            Tensor candidate;
            if (_linearBeforeReset)
            {
                var hr = h.matmul(rh);
                if (rb is not null)
                {
                    hr = hr.Plus(rb[(2 * hidden)..]);
                }

                candidate = Clip(xp[.., (2 * hidden)..].Plus(reset * hr)).tanh();
            }
            else
            {
                var hr = (reset * h).matmul(rh);
                if (rb is not null)
                {
                    hr = hr.Plus(rb[(2 * hidden)..]);
                }

                candidate = Clip(xp[.., (2 * hidden)..].Plus(hr)).tanh();
            }

            // (1 - z)·candidate + z·h with no transient Scalar (see RootedScalars).
            h = candidate.Plus(z * (h - candidate));
            steps[t] = h;
        }

        return (stack(steps, 0), h, null);
    }
}
