using Compress.Onnx;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>Cases for the old and new forms of operators whose inputs/attributes changed between opsets 11 and 21.</summary>
public static partial class OperatorCases
{
    [CaseGroup]
    private static IEnumerable<OperatorCase> OpsetForms()
    {
        yield return Model("ReduceMin_AxesInput_Opset18", 18, "ReduceMin", [R("x", 1, -1, 1, 2, 3, 4)], [("a", [-1, 0], [2])], 1, ("keepdims", 0L));
        yield return Model("ReduceProd_AxesInput_Opset18", 18, "ReduceProd", [R("x", 1, 0.5f, 1.5f, 2, 3, 4)], [("a", [1], [1])], 1);
        yield return Model("ReduceMean_Attribute_Opset11", 11, "ReduceMean", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { 1 }));
        yield return Model("ReduceMax_Attribute_Opset11", 11, "ReduceMax", [R("x", 1, -1, 1, 2, 3, 4)], None, 1, ("axes", new long[] { -1 }), ("keepdims", 0L));
        yield return Model("Squeeze_AxesInput_Opset21", 21, "Squeeze", [R("x", 1, -1, 1, 3, 1, 2)], [("a", [1], [1])], 1);
        yield return Model("Split_SizesInput_Opset18", 18, "Split", [R("x", 1, -1, 1, 2, 7)], [("sp", [3, 4], [2])], 2, ("axis", -1L));
        yield return Model("Clip_Inputs_Opset11", 11, "Clip", [R("x", 1, -2, 2, 2, 3), R("min", 2, -0.5f, -0.5f), R("max", 3, 0.3f, 0.3f)], None, 1);
        {
            var b = new ModelBuilder(11);
            var x = b.Input("x", DataType.Float, 2, 3);
            b.Output(b.Node("Pad", [x, b.Initializer("p", new long[] { 1, 0, 0, 2 }, 4), b.Initializer("v", [-1.5f])]));
            yield return new OperatorCase("Pad_Inputs_Opset11", b.Build(), [R("x", 1, -1, 1, 2, 3)]);
        }

        yield return Unary("Dropout", opset: 10, name: "Dropout_RatioAttribute_Opset10", attributes: ("ratio", 0.3f));
        {
            var b = new ModelBuilder(12);
            var x = b.Input("x", DataType.Float, 2, 3, 4);
            b.Output(b.Node("Dropout", [x, b.Initializer("ratio", [0.3f])]));
            yield return new OperatorCase("Dropout_RatioInput_Opset12", b.Build(), [R("x", 2, -1, 1, 2, 3, 4)]);
        }
    }
}
