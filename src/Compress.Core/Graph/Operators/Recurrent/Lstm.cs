using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>LSTM</c> with ONNX's gate order i, o, f, c in W [dirs, 4H, I], R [dirs, 4H, H] and B [dirs, 8H] (Wb then Rb),
/// optional peepholes P [dirs, 3H] (i, o, f), initial states, forward/reverse/bidirectional and clip;
/// input_forget is not supported.
/// </summary>
[OnnxOperator("LSTM", 7)]
[OnnxOperator("LSTM", 14)]
public sealed class Lstm : RecurrentOperator
{
    /// <inheritdoc />
    protected override int Gates => 4;

    /// <inheritdoc />
    protected override string[] DefaultActivations => ["Sigmoid", "Tanh", "Tanh"];

    /// <inheritdoc />
    protected override void Initialize()
    {
        base.Initialize();
        if (Node.Int("input_forget", 0) != 0)
        {
            throw Node.Invalid("input_forget = 1 is not supported");
        }
    }

    /// <inheritdoc />
    protected override (Tensor Y, Tensor H, Tensor? C) RunDirection(int direction, Tensor x, Tensor w, Tensor r, Tensor? b, Tensor h0, Tensor? c0, Tensor? p, bool reverse)
    {
        var hidden = Hidden;
        var projected = x.matmul(w.t());                       // [seq, batch, 4H]
        if (b is not null)
        {
            projected = projected.Plus(b[..(int)(4 * hidden)]).Plus(b[(int)(4 * hidden)..]);
        }

        var rt = r.t();
        var h = h0;
        var c = c0!;
        var steps = new Tensor[x.shape[0]];
        for (var s = 0; s < steps.Length; s++)
        {
            var t = reverse ? steps.Length - 1 - s : s;
            var gates = projected[t].Plus(h.matmul(rt));
            var parts = gates.chunk(4, 1);
            Tensor i = parts[0], o = parts[1], f = parts[2], g = parts[3];
            if (p is not null)
            {
                i = i.Plus(p[..(int)hidden] * c);
                f = f.Plus(p[(int)(2 * hidden)..] * c);
            }

            var inputGate = Clip(i).sigmoid();
            var forgetGate = Clip(f).sigmoid();
            var candidate = Clip(g).tanh();
            c = (forgetGate * c).Plus(inputGate * candidate);
            if (p is not null)
            {
                o = o.Plus(p[(int)hidden..(int)(2 * hidden)] * c);
            }

            h = Clip(o).sigmoid() * c.tanh();
            steps[t] = h;
        }

        return (stack(steps, 0), h, c);
    }
}
