using Compress.Onnx;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    [CaseGroup]
    private static IEnumerable<OperatorCase> Examples()
    {
        yield return Unary("Relu", opset: 14);
        yield return Binary("Add_Broadcast", "Add", [2, 3, 4], [3, 1]);

        {
            var b = new ModelBuilder(17);
            var x = b.Input("x", DataType.Float, "N", 4);
            var w = b.Initializer("w", CaseTensor.Random("w", 1, -1, 1, 3, 4).Data as float[] ?? [], 3, 4);
            var c = b.Initializer("c", [0.5f, -0.5f, 1f], 3);
            var y = b.Node("Gemm", [x, w, c], ("transB", 1L), ("alpha", 0.5f), ("beta", 2f));
            b.Output(y);
            yield return new OperatorCase("Gemm_TransB_AlphaBeta", b.Build(), [CaseTensor.Random("x", 2, -1, 1, 2, 4)]);
        }

        {
            var b = new ModelBuilder(17);
            var x = b.Input("x", DataType.Float, "N", 3, 4);
            var w = b.Initializer("w", CaseTensor.Random("w", 3, -1, 1, 4, 5).Data as float[] ?? [], 4, 5);
            b.Output(b.Node("MatMul", [x, w]));
            yield return new OperatorCase("MatMul_BatchedByMatrix", b.Build(), [CaseTensor.Random("x", 4, -1, 1, 2, 3, 4)]);
        }

        foreach (var (opset, name) in new[] { (17, "ReduceMean_AxesAttribute"), (18, "ReduceMean_AxesInput") })
        {
            var b = new ModelBuilder(opset);
            var x = b.Input("x", DataType.Float, 2, 3, 4);
            var y = opset < 18
                ? b.Node("ReduceMean", [x], ("axes", new long[] { -1, 1 }), ("keepdims", 0L))
                : b.Node("ReduceMean", [x, b.Initializer("axes", new long[] { -1, 1 }, 2)], ("keepdims", 0L));
            b.Output(y);
            yield return new OperatorCase(name, b.Build(), [CaseTensor.Random("x", 5, -2, 2, 2, 3, 4)]);
        }

        {
            // Reshape's 0 copies the batch dimension; the target comes from a Constant node (folded once) and
            // the input's shape is read back through Shape -> Identity.
            var b = new ModelBuilder(13);
            var x = b.Input("x", DataType.Float, "N", 2, 3);
            var target = b.Node("Constant", [], ("value", ModelBuilder.Tensor("", new long[] { 0, -1 }, 2)));
            b.Output(b.Node("Reshape", [x, target]));
            b.Output(b.Node("Identity", [b.Node("Shape", [x])]), DataType.Int64);
            yield return new OperatorCase("Reshape_ZeroCopiesDimension_ShapeOfInput", b.Build(), [CaseTensor.Random("x", 6, -1, 1, 2, 2, 3)]);
        }
    }

    /// <summary>A one-node model y = Op(x) on a seeded [2,3,4] input in [low, high).</summary>
    internal static OperatorCase Unary(string opType, long opset = 17, float low = -2, float high = 2, string? name = null, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, 2, 3, 4);
        b.Graph.Output.Add(new global::Compress.Onnx.Proto.ValueInfoProto { Name = b.Node(opType, [x], attributes) });
        return new OperatorCase(name ?? opType, b.Build(), [CaseTensor.Random("x", opType.GetHashCode(StringComparison.Ordinal) & 0xffff, low, high, 2, 3, 4)]);
    }

    /// <summary>A one-node model y = Op(a, b) with the given shapes (broadcast).</summary>
    internal static OperatorCase Binary(string name, string opType, long[] shapeA, long[] shapeB, long opset = 17, float low = -2, float high = 2)
    {
        var b = new ModelBuilder(opset);
        var a = b.Input("a", DataType.Float, shapeA.Cast<object>().ToArray());
        var c = b.Input("b", DataType.Float, shapeB.Cast<object>().ToArray());
        b.Graph.Output.Add(new global::Compress.Onnx.Proto.ValueInfoProto { Name = b.Node(opType, [a, c]) });
        return new OperatorCase(name, b.Build(), [CaseTensor.Random("a", 11, low, high, shapeA), CaseTensor.Random("b", 12, low, high, shapeB)]);
    }
}
