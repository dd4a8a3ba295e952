using Compress.Onnx;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    /// <summary>A one-node model over named inputs (constant operands become initializers by the caller).</summary>
    private static OperatorCase Model(string name, long opset, string op, CaseTensor[] inputs, (string Name, long[] Values, long[] Dims)[] longInits, int outputs, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(opset);
        var names = new List<string>();
        foreach (var input in inputs)
        {
            var type = input.Data switch { long[] => DataType.Int64, bool[] => DataType.Bool, _ => DataType.Float };
            names.Add(b.Input(input.Name, type, input.Shape.Cast<object>().ToArray()));
        }

        foreach (var (initName, values, dims) in longInits)
        {
            names.Add(initName.Length == 0 ? "" : b.Initializer(initName, values, dims));
        }

        foreach (var output in b.Node(op, names, outputs, "", attributes))
        {
            b.Graph.Output.Add(new global::Compress.Onnx.Proto.ValueInfoProto { Name = output });
        }

        return new OperatorCase(name, b.Build(), inputs);
    }

    private static CaseTensor R(string name, int seed, float low, float high, params long[] shape) => CaseTensor.Random(name, seed, low, high, shape);

    private static CaseTensor B(string name, int seed, params long[] shape)
    {
        var random = new Random(seed);
        var count = (int)shape.Aggregate(1L, (a, d) => a * d);
        return CaseTensor.Bools(name, Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(), shape);
    }

    private static readonly (string, long[], long[])[] None = [];

    [CaseGroup]
    private static IEnumerable<OperatorCase> ElementwiseAndTensor()
    {
        // Unary math and activations.
        yield return Unary("Sqrt", low: 0.01f, high: 4);
        yield return Unary("Exp");
        yield return Unary("Log", low: 0.01f, high: 4);
        yield return Unary("Neg");
        yield return Unary("Abs");
        yield return Unary("Reciprocal", low: 0.5f, high: 3);
        yield return Unary("Erf");
        yield return Unary("Tanh");
        yield return Unary("Sigmoid");
        yield return Unary("Softplus");
        yield return Unary("Floor", low: -3, high: 3);
        yield return Unary("Ceil", low: -3, high: 3);
        yield return Unary("Sin");
        yield return Unary("Cos");
        yield return Unary("LeakyRelu", name: "LeakyRelu_Alpha", attributes: ("alpha", 0.2f));
        yield return Unary("Elu", name: "Elu_Alpha", attributes: ("alpha", 0.7f));
        yield return Unary("Selu");
        yield return Unary("Gelu", opset: 20);
        yield return Unary("Gelu", opset: 20, name: "Gelu_Tanh", attributes: ("approximate", "tanh"));
        yield return Unary("HardSigmoid", low: -5, high: 5);
        yield return Unary("HardSwish", opset: 14, low: -5, high: 5);
        yield return Unary("Clip", opset: 6, name: "Clip_Attributes_Opset6", attributes: [("min", -0.5f), ("max", 0.7f)]);
        yield return Unary("Softmax", opset: 11, name: "Softmax_Opset11_CoercesTo2D");
        yield return Unary("Softmax", opset: 13, name: "Softmax_Opset13_Axis1", attributes: ("axis", 1L));
        yield return Unary("LogSoftmax", opset: 13, name: "LogSoftmax_LastAxis");
        yield return Unary("ArgMax", name: "ArgMax_Axis1_KeepDims", attributes: ("axis", 1L));
        yield return Unary("ArgMax", name: "ArgMax_NegativeAxis_NoKeep_LastIndex", attributes: [("axis", -1L), ("keepdims", 0L), ("select_last_index", 1L)]);
        yield return Unary("Transpose", name: "Transpose_Default");
        yield return Unary("Transpose", name: "Transpose_Perm", attributes: ("perm", new long[] { 1, 2, 0 }));
        yield return Unary("Dropout", opset: 13, name: "Dropout_EvalIsIdentity");
        yield return Unary("Squeeze", opset: 11, name: "Squeeze_NoOnes_Opset11");

        // Binary with broadcasting.
        yield return Binary("Sub_Broadcast", "Sub", [2, 3, 4], [4]);
        yield return Binary("Mul_Broadcast", "Mul", [2, 1, 4], [3, 1]);
        yield return Binary("Div_Float", "Div", [2, 3], [2, 3], low: 0.5f, high: 2);
        yield return Binary("Pow_PositiveBase", "Pow", [2, 3], [3], low: 0.2f, high: 2);
        yield return Binary("Max_Two", "Max", [2, 3], [1, 3]);
        yield return Binary("Min_Two", "Min", [2, 3], [2, 1]);
        yield return Binary("Sum_Two", "Sum", [2, 3], [3]);
        yield return Binary("Mean_Two", "Mean", [2, 3], [2, 3]);
        yield return Binary("Equal_Float", "Equal", [2, 3], [2, 3]);
        yield return Binary("Greater_Broadcast", "Greater", [2, 3], [3]);
        yield return Binary("GreaterOrEqual_Broadcast", "GreaterOrEqual", [2, 3], [3]);
        yield return Binary("Less_Broadcast", "Less", [2, 3], [3]);
        yield return Binary("LessOrEqual_Broadcast", "LessOrEqual", [2, 3], [3]);
        yield return Model("Sub_Int64_Broadcast", 14, "Sub", [CaseTensor.Longs("a", [7, -7, 0, 9, 5, -1], 2, 3), CaseTensor.Longs("b", [2, -4, 5], 3)], None, 1);
        yield return Model("Div_Int64_TruncatesTowardZero", 13, "Div", [CaseTensor.Longs("a", [7, -7, 9, -9, 5, 0], 6), CaseTensor.Longs("b", [2, 2, -4, -4, 5, 3], 6)], None, 1);
        yield return Model("Pow_IntegerExponent", 15, "Pow", [R("a", 1, -2, 2, 2, 3), CaseTensor.Longs("b", [2, 3, 1], 3)], None, 1);
        yield return Model("Max_Three_Variadic", 13, "Max", [R("a", 1, -1, 1, 2, 3), R("b", 2, -1, 1, 3), R("c", 3, -1, 1, 2, 1)], None, 1);
        yield return Model("Sum_One_Variadic", 13, "Sum", [R("a", 1, -1, 1, 2, 3)], None, 1);
        yield return Model("Clip_Inputs_MinOnly", 13, "Clip", [R("x", 1, -2, 2, 2, 3), R("min", 2, -0.5f, -0.5f)], None, 1);
        yield return Model("Clip_Inputs_MinMax", 13, "Clip", [R("x", 1, -2, 2, 2, 3), R("min", 2, -0.5f, -0.5f), R("max", 3, 0.3f, 0.3f)], None, 1);
        yield return Model("Where_Broadcast", 16, "Where", [B("c", 1, 2, 3), R("x", 2, -1, 1, 3), R("y", 3, -1, 1, 2, 1)], None, 1);
        yield return Model("Not_Bool", 1, "Not", [B("x", 4, 2, 3)], None, 1);
        yield return Model("And_Bool", 7, "And", [B("a", 5, 2, 3), B("b", 6, 3)], None, 1);
        yield return Model("Or_Bool", 7, "Or", [B("a", 7, 2, 3), B("b", 8, 2, 3)], None, 1);
        yield return Model("Xor_Bool", 7, "Xor", [B("a", 9, 2, 3), B("b", 10, 2, 3)], None, 1);
        yield return Model("Equal_Int64", 13, "Equal", [CaseTensor.Longs("a", [1, 2, 3], 3), CaseTensor.Longs("b", [1, 0, 3], 3)], None, 1);
        yield return Model("Cast_FloatToInt64_Truncates", 13, "Cast", [R("x", 1, -3, 3, 2, 3)], None, 1, ("to", (long)DataType.Int64));
        yield return Model("Cast_Int64ToFloat", 13, "Cast", [CaseTensor.Longs("x", [1, -2, 30], 3)], None, 1, ("to", (long)DataType.Float));
        yield return Model("Cast_FloatToBool", 13, "Cast", [CaseTensor.Floats("x", [0, 1.5f, -2, 0], 4)], None, 1, ("to", (long)DataType.Bool));
        yield return Model("Dropout_WithMask_Eval", 13, "Dropout", [R("x", 1, -1, 1, 2, 3)], None, 2);

        // Shape and indexing.
        yield return Model("ConstantOfShape_Default", 9, "ConstantOfShape", [CaseTensor.Longs("s", [2, 3], 2)], None, 1);
        yield return Model("ConstantOfShape_Int64Value", 9, "ConstantOfShape", [CaseTensor.Longs("s", [3], 1)], None, 1, ("value", ModelBuilder.Tensor("v", new long[] { 7 }, 1)));
        yield return Model("Size_Of3D", 13, "Size", [R("x", 1, -1, 1, 2, 3, 4)], None, 1);
        yield return Model("Gather_Axis0_NegativeIndices", 13, "Gather", [R("x", 1, -1, 1, 5, 3)], [("i", [0, -1, 2, -5], [2, 2])], 1);
        yield return Model("Gather_Axis1_Scalar", 13, "Gather", [R("x", 1, -1, 1, 2, 4, 3)], [("i", [2], [])], 1, ("axis", 1L));
        yield return Model("GatherElements_Axis1", 13, "GatherElements", [R("x", 1, -1, 1, 3, 4)], [("i", [0, 3, -1, 1, 2, 2], [3, 2])], 1, ("axis", 1L));
        yield return Model("Slice_StartsEndsAxes", 13, "Slice", [R("x", 1, -1, 1, 4, 6)], [("s", [1, -4], [2]), ("e", [3, 1000], [2]), ("a", [0, 1], [2])], 1);
        yield return Model("Slice_NegativeStep", 13, "Slice", [R("x", 1, -1, 1, 5, 6)], [("s", [-1], [1]), ("e", [long.MinValue], [1]), ("a", [1], [1]), ("st", [-2], [1])], 1);
        yield return Model("Slice_Step2_ClampsEnd", 13, "Slice", [R("x", 1, -1, 1, 3, 9)], [("s", [1], [1]), ("e", [long.MaxValue], [1]), ("a", [-1], [1]), ("st", [2], [1])], 1);
        yield return Model("Slice_Opset1_Attributes", 1, "Slice", [R("x", 1, -1, 1, 4, 5)], None, 1, ("starts", new long[] { 1, 0 }), ("ends", new long[] { 3, -1 }));
        yield return Model("Squeeze_AxesInput", 13, "Squeeze", [R("x", 1, -1, 1, 1, 3, 1, 2)], [("a", [0, -2], [2])], 1);
        yield return Model("Squeeze_AxesAttribute", 11, "Squeeze", [R("x", 1, -1, 1, 1, 3, 1)], None, 1, ("axes", new long[] { 2 }));
        yield return Model("Unsqueeze_AxesInput", 13, "Unsqueeze", [R("x", 1, -1, 1, 3, 2)], [("a", [0, -1], [2])], 1);
        yield return Model("Unsqueeze_AxesAttribute", 11, "Unsqueeze", [R("x", 1, -1, 1, 3, 2)], None, 1, ("axes", new long[] { 1 }));
        yield return Model("Concat_NegativeAxis", 13, "Concat", [R("a", 1, -1, 1, 2, 3), R("b", 2, -1, 1, 2, 1), R("c", 3, -1, 1, 2, 2)], None, 1, ("axis", -1L));
        yield return Model("Concat_Int64", 13, "Concat", [CaseTensor.Longs("a", [1, 2], 2), CaseTensor.Longs("b", [3], 1)], None, 1, ("axis", 0L));
        yield return Model("Split_Equal_ThreeOutputs", 13, "Split", [R("x", 1, -1, 1, 2, 6)], None, 3, ("axis", 1L));
        yield return Model("Split_SizesInput", 13, "Split", [R("x", 1, -1, 1, 5, 2)], [("sp", [2, 3], [2])], 2);
        yield return Model("Split_SizesAttribute", 11, "Split", [R("x", 1, -1, 1, 5, 2)], None, 2, ("split", new long[] { 4, 1 }));
        yield return Model("Split_NumOutputs_Uneven", 18, "Split", [R("x", 1, -1, 1, 7, 2)], None, 3, ("num_outputs", 3L));
        yield return Model("Expand_Broadcast", 13, "Expand", [R("x", 1, -1, 1, 3, 1)], [("s", [2, 1, 4], [3])], 1);
        yield return Model("Tile_Repeats", 13, "Tile", [R("x", 1, -1, 1, 2, 3)], [("r", [2, 3], [2])], 1);
        {
            var b = new ModelBuilder(13);
            var x = b.Input("x", DataType.Float, 2, 3);
            b.Output(b.Node("Pad", [x, b.Initializer("p", new long[] { 0, 1, 2, 1 }, 4), b.Initializer("v", [0.5f])]));
            yield return new OperatorCase("Pad_Constant_Value", b.Build(), [R("x", 1, -1, 1, 2, 3)]);
        }

        yield return Model("Pad_Constant_NegativeCrops", 13, "Pad", [R("x", 1, -1, 1, 3, 4)], [("p", [1, -1, 0, 2], [4])], 1);
        yield return Model("Pad_Reflect", 13, "Pad", [R("x", 1, -1, 1, 1, 3, 5)], [("p", [0, 0, 2, 0, 0, 1], [6])], 1, ("mode", "reflect"));
        yield return Model("Pad_Edge", 13, "Pad", [R("x", 1, -1, 1, 2, 3, 4)], [("p", [0, 1, 2, 0, 2, 1], [6])], 1, ("mode", "edge"));
        yield return Model("Pad_Opset2_Attributes", 2, "Pad", [R("x", 1, -1, 1, 2, 3)], None, 1, ("pads", new long[] { 1, 0, 0, 2 }), ("value", 1.5f));
        yield return Model("Pad_Axes_Opset18", 18, "Pad", [R("x", 1, -1, 1, 2, 3, 4)], [("p", [1, 2], [2]), ("", [], []), ("ax", [-1], [1])], 1);
        yield return Model("Range_Int64", 11, "Range", [CaseTensor.Longs("s", [2], []), CaseTensor.Longs("l", [11], []), CaseTensor.Longs("d", [3], [])], None, 1);
        yield return Model("Range_Float_Negative", 11, "Range", [CaseTensor.Floats("s", [1f], []), CaseTensor.Floats("l", [-2f], []), CaseTensor.Floats("d", [-0.75f], [])], None, 1);

        // Reductions.
        yield return Model("ReduceSum_AxesInput_KeepDims", 13, "ReduceSum", [R("x", 1, -1, 1, 2, 3, 4)], [("a", [1], [1])], 1);
        yield return Model("ReduceSum_NoAxes_ReducesAll", 13, "ReduceSum", [R("x", 1, -1, 1, 2, 3)], None, 1, ("keepdims", 0L));
        yield return Model("ReduceSum_NoopWithEmptyAxes", 13, "ReduceSum", [R("x", 1, -1, 1, 2, 3)], None, 1, ("noop_with_empty_axes", 1L));
        yield return Model("ReduceSum_Opset11_Attribute", 11, "ReduceSum", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { 0, -1 }));
        yield return Model("ReduceMax_Attribute", 13, "ReduceMax", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { 2 }), ("keepdims", 0L));
        yield return Model("ReduceMax_AxesInput_Opset18", 18, "ReduceMax", [R("x", 1, -1, 1, 2, 3, 4)], [("a", [0, 2], [2])], 1);
        yield return Model("ReduceMin_Attribute", 13, "ReduceMin", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { 1 }));
        yield return Model("ReduceProd_Attribute", 13, "ReduceProd", [R("x", 1, 0.5f, 1.5f, 2, 3, 4)], None, 1, ("axes", new long[] { 1, 2 }));
        yield return Model("ReduceL2_AxesInput_Opset18", 18, "ReduceL2", [R("x", 1, -1, 1, 2, 3, 4)], [("a", [-1], [1])], 1, ("keepdims", 0L));
        yield return Model("ReduceL2_Opset13", 13, "ReduceL2", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { 1 }));
        yield return Model("Einsum_BatchedMatMul", 12, "Einsum", [R("a", 1, -1, 1, 2, 3, 4), R("b", 2, -1, 1, 2, 4, 5)], None, 1, ("equation", "bij,bjk->bik"));
        yield return Model("Einsum_ImplicitTrace", 12, "Einsum", [R("a", 1, -1, 1, 3, 3)], None, 1, ("equation", "ii"));
        yield return Model("CumSum_Axis1", 14, "CumSum", [R("x", 1, -1, 1, 2, 5)], [("a", [1], [])], 1);
        yield return Model("CumSum_ExclusiveReverse", 14, "CumSum", [R("x", 1, -1, 1, 2, 5)], [("a", [-1], [])], 1, ("exclusive", 1L), ("reverse", 1L));
    }
}
