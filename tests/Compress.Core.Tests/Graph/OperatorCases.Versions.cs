using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// Cases for registered since-versions that no other case reaches: an existing case re-stamped to the version's
/// opset (its nodes are valid there unchanged, which ONNX Runtime checks when it loads the model), and hand-written
/// models for opset 1, where the other cases' companion operators do not exist.
/// </summary>
public static partial class OperatorCases
{
    /// <summary>(case, opset): the case's model with its default-domain opset set to <c>opset</c>.</summary>
    private static readonly (string Case, long Opset)[] Restamped =
    [
        ("Abs", 6), // ai.onnx.Abs-6
        ("Add_Broadcast", 7), // ai.onnx.Add-7
        ("Add_Broadcast", 13), // ai.onnx.Add-13
        ("ArgMax_Axis1_KeepDims", 1), // ai.onnx.ArgMax-1
        ("ArgMax_Axis1_KeepDims", 11), // ai.onnx.ArgMax-11
        ("ArgMax_Axis1_KeepDims", 12), // ai.onnx.ArgMax-12
        ("AveragePool_2D_AsymmetricPads", 7), // ai.onnx.AveragePool-7
        ("AveragePool_1D_CeilMode", 10), // ai.onnx.AveragePool-10
        ("AveragePool_1D_CeilMode", 19), // ai.onnx.AveragePool-19
        ("BatchNormalization_Eval_UsesRunningStatistics", 9), // ai.onnx.BatchNormalization-9
        ("BatchNormalization_Eval_UsesRunningStatistics", 14), // ai.onnx.BatchNormalization-14
        ("Cast_FloatToBool", 6), // ai.onnx.Cast-6
        ("Cast_FloatToBool", 9), // ai.onnx.Cast-9
        ("Cast_FloatToBool", 19), // ai.onnx.Cast-19
        ("Cast_FloatToBool", 21), // ai.onnx.Cast-21
        ("Ceil", 6), // ai.onnx.Ceil-6
        ("Clip_Inputs_MinMax", 12), // ai.onnx.Clip-12
        ("Concat_Int64", 4), // ai.onnx.Concat-4
        ("Concat_Int64", 11), // ai.onnx.Concat-11
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 9), // ai.onnx.Constant-9
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 11), // ai.onnx.Constant-11
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 12), // ai.onnx.Constant-12
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 19), // ai.onnx.Constant-19, ai.onnx.Identity-19, ai.onnx.Reshape-19
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 21), // ai.onnx.Constant-21, ai.onnx.Identity-21, ai.onnx.Reshape-21
        ("ConstantOfShape_Default", 20), // ai.onnx.ConstantOfShape-20
        ("ConstantOfShape_Default", 21), // ai.onnx.ConstantOfShape-21
        ("Conv_1D_Dilated_Padded", 1), // ai.onnx.Conv-1
        ("ConvTranspose_1D_Strided_Padded", 1), // ai.onnx.ConvTranspose-1
        ("CumSum_Axis1", 11), // ai.onnx.CumSum-11
        ("Div_Float", 7), // ai.onnx.Div-7
        ("Dropout_EvalIsIdentity", 7), // ai.onnx.Dropout-7
        ("Equal_Float", 11), // ai.onnx.Equal-11
        ("Equal_Float", 19), // ai.onnx.Equal-19
        ("Erf", 9), // ai.onnx.Erf-9
        ("Exp", 6), // ai.onnx.Exp-6
        ("Expand_Broadcast", 8), // ai.onnx.Expand-8
        ("Flatten_Axis0", 1), // ai.onnx.Flatten-1
        ("Flatten_Axis0", 9), // ai.onnx.Flatten-9
        ("Flatten_Axis0", 11), // ai.onnx.Flatten-11
        ("Flatten_Axis0", 21), // ai.onnx.Flatten-21
        ("Floor", 6), // ai.onnx.Floor-6
        ("Gather_Axis0_NegativeIndices", 1), // ai.onnx.Gather-1
        ("Gather_Axis0_NegativeIndices", 11), // ai.onnx.Gather-11
        ("GatherElements_Axis1", 11), // ai.onnx.GatherElements-11
        ("Gemm_TransB_AlphaBeta", 9), // ai.onnx.Gemm-9
        ("Gemm_TransB_AlphaBeta", 11), // ai.onnx.Gemm-11
        ("Greater_Broadcast", 9), // ai.onnx.Greater-9
        ("GreaterOrEqual_Broadcast", 12), // ai.onnx.GreaterOrEqual-12
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 14), // ai.onnx.Identity-14, ai.onnx.Reshape-14
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 16), // ai.onnx.Identity-16
        ("If_False_ReadsOuterValues", 11), // ai.onnx.If-11
        ("If_False_ReadsOuterValues", 13), // ai.onnx.If-13
        ("If_False_ReadsOuterValues", 19), // ai.onnx.If-19
        ("If_False_ReadsOuterValues", 21), // ai.onnx.If-21
        ("LeakyRelu_Alpha", 6), // ai.onnx.LeakyRelu-6
        ("Less_Broadcast", 9), // ai.onnx.Less-9
        ("LessOrEqual_Broadcast", 12), // ai.onnx.LessOrEqual-12
        ("Log", 6), // ai.onnx.Log-6
        ("LogSoftmax_LastAxis", 1), // ai.onnx.LogSoftmax-1
        ("LogSoftmax_LastAxis", 11), // ai.onnx.LogSoftmax-11
        ("MatMul_BatchedByMatrix", 9), // ai.onnx.MatMul-9
        ("Max_Three_Variadic", 8), // ai.onnx.Max-8
        ("Max_Three_Variadic", 12), // ai.onnx.Max-12
        ("MaxPool_1D_SameUpper", 8), // ai.onnx.MaxPool-8
        ("MaxPool_1D_SameUpper", 10), // ai.onnx.MaxPool-10
        ("MaxPool_1D_SameUpper", 11), // ai.onnx.MaxPool-11
        ("Mean_Two", 8), // ai.onnx.Mean-8
        ("Min_Two", 8), // ai.onnx.Min-8
        ("Min_Two", 12), // ai.onnx.Min-12
        ("Mul_Broadcast", 7), // ai.onnx.Mul-7
        ("Mul_Broadcast", 13), // ai.onnx.Mul-13
        ("Neg", 6), // ai.onnx.Neg-6
        ("Pad_Axes_Opset18", 19), // ai.onnx.Pad-19
        ("Pad_Axes_Opset18", 21), // ai.onnx.Pad-21
        ("Pow_PositiveBase", 7), // ai.onnx.Pow-7
        ("Pow_IntegerExponent", 12), // ai.onnx.Pow-12
        ("Pow_IntegerExponent", 13), // ai.onnx.Pow-13
        ("Reciprocal", 6), // ai.onnx.Reciprocal-6
        ("ReduceL2_Opset13", 1), // ai.onnx.ReduceL2-1
        ("ReduceL2_Opset13", 11), // ai.onnx.ReduceL2-11
        ("ReduceMax_Attribute", 1), // ai.onnx.ReduceMax-1
        ("ReduceMax_Attribute", 12), // ai.onnx.ReduceMax-12
        ("ReduceMax_AxesInput_Opset18", 20), // ai.onnx.ReduceMax-20
        ("ReduceMean_Attribute_Opset11", 1), // ai.onnx.ReduceMean-1
        ("ReduceMin_Attribute", 1), // ai.onnx.ReduceMin-1
        ("ReduceMin_Attribute", 11), // ai.onnx.ReduceMin-11
        ("ReduceMin_Attribute", 12), // ai.onnx.ReduceMin-12
        ("ReduceMin_AxesInput_Opset18", 20), // ai.onnx.ReduceMin-20
        ("ReduceProd_Attribute", 1), // ai.onnx.ReduceProd-1
        ("ReduceProd_Attribute", 11), // ai.onnx.ReduceProd-11
        ("ReduceSum_NoAxes_ReducesAll", 1), // ai.onnx.ReduceSum-1
        ("Relu", 6), // ai.onnx.Relu-6
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 5), // ai.onnx.Reshape-5
        ("Reshape_ZeroCopiesDimension_ShapeOfInput", 15), // ai.onnx.Shape-15
        ("Sigmoid", 6), // ai.onnx.Sigmoid-6
        ("Size_Of3D", 1), // ai.onnx.Size-1
        ("Size_Of3D", 19), // ai.onnx.Size-19
        ("Size_Of3D", 21), // ai.onnx.Size-21
        ("Slice_NegativeStep", 10), // ai.onnx.Slice-10
        ("Slice_NegativeStep", 11), // ai.onnx.Slice-11
        ("Softmax_Opset11_CoercesTo2D", 1), // ai.onnx.Softmax-1
        ("Split_Equal_ThreeOutputs", 2), // ai.onnx.Split-2
        ("Sqrt", 6), // ai.onnx.Sqrt-6
        ("Squeeze_AxesAttribute", 1), // ai.onnx.Squeeze-1
        ("Sub_Broadcast", 7), // ai.onnx.Sub-7
        ("Sub_Broadcast", 13), // ai.onnx.Sub-13
        ("Sum_One_Variadic", 8), // ai.onnx.Sum-8
        ("Tanh", 6), // ai.onnx.Tanh-6
        ("Tile_Repeats", 6), // ai.onnx.Tile-6
        ("Transpose_Default", 1), // ai.onnx.Transpose-1
        ("Transpose_Default", 21), // ai.onnx.Transpose-21
        ("Unsqueeze_AxesAttribute", 1), // ai.onnx.Unsqueeze-1
        ("Unsqueeze_AxesInput", 21), // ai.onnx.Unsqueeze-21
        ("Where_Broadcast", 9), // ai.onnx.Where-9
    ];

    [CaseGroup]
    private static IEnumerable<OperatorCase> Versions()
    {
        var sources = typeof(OperatorCases).GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            .Where(m => m.Name != nameof(Versions) && m.GetCustomAttributes(typeof(CaseGroupAttribute), false).Length > 0)
            .SelectMany(m => (IEnumerable<OperatorCase>)m.Invoke(null, null)!)
            .ToDictionary(c => c.Name);
        foreach (var (name, opset) in Restamped)
        {
            var source = sources[name];
            var model = source.Model.Clone();
            model.OpsetImport.Single(i => i.Domain.Length == 0).Version = opset;
            yield return new OperatorCase($"{name}_AtOpset{opset}", model, source.Inputs);
        }

        {
            // Opset 1: Constant (value attribute), Identity and Shape, with nothing else in the graph.
            var b = new ModelBuilder(1);
            var x = b.Input("x", DataType.Float, 2, 3, 4);
            b.Output(b.Node("Identity", [x]));
            b.Output(b.Node("Shape", [x]), DataType.Int64);
            b.Output(b.Node("Constant", [], ("value", ModelBuilder.Tensor("", [1.5f, -2f, 0.25f], 3))));
            yield return new OperatorCase("Constant_Identity_Shape_Opset1", b.Build(), [R("x", 51, -1, 1, 2, 3, 4)]);
        }

        foreach (var condition in new[] { true, false })
        {
            // Opset 1: If whose branches only pass on outer values (Identity is the one opset-1 operator that can).
            var b = new ModelBuilder(1);
            var cond = b.Input("cond", DataType.Bool);
            b.Input("x", DataType.Float, 2, 3);
            b.Initializer("w", Values(52, 6), 2, 3);
            var then = new GraphProto { Name = "then" };
            then.Node.Add(new NodeProto { OpType = "Identity", Name = "then_identity", Input = { "x" }, Output = { "then_y" } });
            then.Output.Add(ModelBuilder.ValueInfo("then_y", DataType.Float, 2L, 3L));
            var otherwise = new GraphProto { Name = "else" };
            otherwise.Node.Add(new NodeProto { OpType = "Identity", Name = "else_identity", Input = { "w" }, Output = { "else_y" } });
            otherwise.Output.Add(ModelBuilder.ValueInfo("else_y", DataType.Float, 2L, 3L));
            b.Output(b.Node("If", [cond], ("then_branch", then), ("else_branch", otherwise)));
            yield return new OperatorCase($"If_{condition}_Opset1", b.Build(), [CaseTensor.Bools("cond", [condition]), R("x", 53, -1, 1, 2, 3)]);
        }
    }
}
