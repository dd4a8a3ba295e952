using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    /// <summary>
    /// An LSTM or GRU over X [seq 4, batch 2, input 3] with hidden size 5. W, R (and B) are initializers; the
    /// initial states, when used, are graph inputs. sequence_lens is always omitted.
    /// </summary>
    private static OperatorCase RecurrentCase(string name, string op, string direction, bool bias, bool initialState, long opset = 14, bool peepholes = false, params (string, object)[] attributes)
    {
        const long seq = 4, batch = 2, input = 3, hidden = 5;
        var gates = op == "LSTM" ? 4 : 3;
        var dirs = direction == "bidirectional" ? 2L : 1L;
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, seq, batch, input);
        var inputs = new List<string>
        {
            x,
            b.Initializer("W", Values(31, dirs * gates * hidden * input, 0.6f), dirs, gates * hidden, input),
            b.Initializer("R", Values(32, dirs * gates * hidden * hidden, 0.6f), dirs, gates * hidden, hidden),
            bias ? b.Initializer("B", Values(33, dirs * 2 * gates * hidden, 0.3f), dirs, 2 * gates * hidden) : "",
        };
        var feeds = new List<CaseTensor> { R("x", 34, -1.5f, 1.5f, seq, batch, input) };
        if (initialState)
        {
            inputs.Add("");
            inputs.Add(b.Input("h0", DataType.Float, dirs, batch, hidden));
            feeds.Add(R("h0", 35, -0.8f, 0.8f, dirs, batch, hidden));
            if (op == "LSTM")
            {
                inputs.Add(b.Input("c0", DataType.Float, dirs, batch, hidden));
                feeds.Add(R("c0", 36, -0.8f, 0.8f, dirs, batch, hidden));
            }
        }

        if (peepholes)
        {
            while (inputs.Count < 7)
            {
                inputs.Add("");
            }

            inputs.Add(b.Initializer("P", Values(37, dirs * 3 * hidden, 0.5f), dirs, 3 * hidden));
        }

        var all = new List<(string, object)> { ("hidden_size", hidden), ("direction", direction) };
        all.AddRange(attributes);
        foreach (var output in b.Node(op, inputs, op == "LSTM" ? 3 : 2, "", [.. all]))
        {
            b.Output(output);
        }

        return new OperatorCase(name, b.Build(), feeds);
    }

    [CaseGroup]
    private static IEnumerable<OperatorCase> Recurrent()
    {
        foreach (var direction in new[] { "forward", "reverse", "bidirectional" })
        {
            var d = char.ToUpperInvariant(direction[0]) + direction[1..];
            yield return RecurrentCase($"LSTM_{d}_Bias_InitialState", "LSTM", direction, bias: true, initialState: true);
            yield return RecurrentCase($"LSTM_{d}_NoBias_NoInitialState", "LSTM", direction, bias: false, initialState: false);
            foreach (var linear in new[] { 0L, 1L })
            {
                yield return RecurrentCase($"GRU_{d}_Bias_InitialState_LinearBeforeReset{linear}", "GRU", direction, bias: true, initialState: true, attributes: ("linear_before_reset", linear));
                yield return RecurrentCase($"GRU_{d}_NoBias_NoInitialState_LinearBeforeReset{linear}", "GRU", direction, bias: false, initialState: false, attributes: ("linear_before_reset", linear));
            }
        }

        yield return RecurrentCase("LSTM_Bidirectional_Peepholes_InitialState", "LSTM", "bidirectional", bias: true, initialState: true, peepholes: true);
        yield return RecurrentCase("LSTM_Forward_Peepholes_NoInitialState", "LSTM", "forward", bias: false, initialState: false, peepholes: true);
        yield return RecurrentCase("LSTM_Opset7_Clip", "LSTM", "forward", bias: true, initialState: false, opset: 7, attributes: ("clip", 0.9f));
        yield return RecurrentCase("GRU_Opset7_Clip", "GRU", "bidirectional", bias: true, initialState: true, opset: 7, attributes: [("clip", 0.9f), ("linear_before_reset", 1L)]);
    }

    /// <summary>An If whose branches each read the outer value <c>x</c> and the outer initializer <c>w</c>.</summary>
    private static OperatorCase IfCase(string name, bool condition)
    {
        var b = new ModelBuilder(16);
        var cond = b.Input("cond", DataType.Bool);
        b.Input("x", DataType.Float, 2, 3);
        b.Initializer("w", Values(41, 3), 3);
        var then = new GraphProto { Name = "then" };
        then.Node.Add(new NodeProto { OpType = "Add", Name = "then_add", Input = { "x", "w" }, Output = { "then_y" } });
        then.Output.Add(ModelBuilder.ValueInfo("then_y", DataType.Float, 2L, 3L));
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(new NodeProto { OpType = "Mul", Name = "else_mul", Input = { "x", "w" }, Output = { "else_m" } });
        otherwise.Node.Add(new NodeProto { OpType = "Neg", Name = "else_neg", Input = { "else_m" }, Output = { "else_y" } });
        otherwise.Output.Add(ModelBuilder.ValueInfo("else_y", DataType.Float, 2L, 3L));
        b.Output(b.Node("If", [cond], ("then_branch", then), ("else_branch", otherwise)));
        return new OperatorCase(name, b.Build(), [CaseTensor.Bools("cond", [condition]), R("x", 42, -1, 1, 2, 3)]);
    }

    private static OperatorCase ConvTransposeCase(string name, long[] xShape, long[] wShape, bool bias, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, xShape.Cast<object>().ToArray());
        var w = b.Initializer("w", Values(51, wShape.Aggregate(1L, (a, d) => a * d), 0.5f), wShape);
        var group = attributes.Where(a => a.Item1 == "group").Select(a => (long)a.Item2).FirstOrDefault(1L);
        var inputs = bias ? new[] { x, w, b.Initializer("b", Values(52, wShape[1] * group, 0.2f), wShape[1] * group) } : [x, w];
        b.Output(b.Node("ConvTranspose", inputs, attributes));
        return new OperatorCase(name, b.Build(), [R("x", 53, -1, 1, xShape)]);
    }

    private static OperatorCase NormalizationCase(string name, string op, long opset, long[] xShape, long[] paramShape, bool bias, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, xShape.Cast<object>().ToArray());
        var count = paramShape.Aggregate(1L, (a, d) => a * d);
        var inputs = new List<string> { x, b.Initializer("scale", Values(61, count, 1.5f), paramShape) };
        if (bias)
        {
            inputs.Add(b.Initializer("bias", Values(62, count, 0.5f), paramShape));
        }

        b.Output(b.Node(op, inputs, attributes));
        return new OperatorCase(name, b.Build(), [R("x", 63, -3, 3, xShape)]);
    }

    [CaseGroup]
    private static IEnumerable<OperatorCase> ControlAndNormalization()
    {
        yield return IfCase("If_True_ReadsOuterValues", condition: true);
        yield return IfCase("If_False_ReadsOuterValues", condition: false);

        yield return ConvTransposeCase("ConvTranspose_2D_Strided_Padded_Bias", [2, 3, 4, 5], [3, 4, 3, 3], true, ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 1, 2 }));
        yield return ConvTransposeCase("ConvTranspose_2D_OutputPadding_Dilated", [1, 2, 4, 4], [2, 3, 3, 2], false, ("strides", new long[] { 2, 3 }), ("output_padding", new long[] { 1, 2 }), ("dilations", new long[] { 2, 1 }));
        yield return ConvTransposeCase("ConvTranspose_2D_Groups", [1, 4, 3, 3], [4, 3, 2, 2], true, ("group", 2L), ("strides", new long[] { 2, 2 }));
        yield return ConvTransposeCase("ConvTranspose_2D_OutputShape", [1, 2, 3, 3], [2, 2, 3, 3], true, ("strides", new long[] { 2, 2 }), ("output_shape", new long[] { 6, 7 }));
        yield return ConvTransposeCase("ConvTranspose_2D_SameUpper", [1, 2, 3, 4], [2, 3, 3, 3], false, ("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER"));
        yield return ConvTransposeCase("ConvTranspose_1D_Strided_Padded", [2, 3, 7], [3, 2, 4], true, ("strides", new long[] { 2 }), ("pads", new long[] { 1, 2 }));

        yield return NormalizationCase("InstanceNormalization_2D", "InstanceNormalization", 6, [2, 3, 4, 5], [3], true, ("epsilon", 1e-4f));
        yield return NormalizationCase("InstanceNormalization_1D", "InstanceNormalization", 6, [2, 4, 9], [4], true);
        yield return NormalizationCase("LayerNormalization_LastAxis_Bias", "LayerNormalization", 17, [2, 3, 8], [8], true);
        yield return NormalizationCase("LayerNormalization_Axis1_NoBias", "LayerNormalization", 17, [2, 3, 4], [3, 4], false, ("axis", 1L), ("epsilon", 1e-3f));
        yield return NormalizationCase("LayerNormalization_NegativeAxis_BroadcastScale", "LayerNormalization", 17, [2, 3, 4, 5], [1, 5], true, ("axis", -2L));
    }
}
