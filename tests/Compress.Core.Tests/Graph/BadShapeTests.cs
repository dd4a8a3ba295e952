using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// Inputs that do not fit a node are diagnostics naming the node (CMP2102/CMP2106), never a crash: some TorchSharp
/// natives let libtorch errors escape, which would end the process.
/// </summary>
public sealed class BadShapeTests
{
    public static TheoryData<string> Cases => new(Models.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, (string Op, long Opset, long[][] Shapes, (string, object)[] Attributes)> Models = new(StringComparer.Ordinal)
    {
        ["Add_NotBroadcastable"] = ("Add", 17, [[2, 3], [4]], []),
        ["Concat_OtherAxisDiffers"] = ("Concat", 17, [[2, 3], [3, 3]], [("axis", 1L)]),
        ["Conv_ChannelsDiffer"] = ("Conv", 17, [[1, 3, 5, 5], [2, 4, 3, 3]], []),
        ["Conv_KernelLargerThanInput"] = ("Conv", 17, [[1, 1, 2, 2], [1, 1, 3, 3]], []),
        ["Gemm_InnerDimensionsDiffer"] = ("Gemm", 17, [[2, 3], [4, 5]], []),
        ["MatMul_BatchNotBroadcastable"] = ("MatMul", 17, [[2, 3, 4], [3, 4, 5]], []),
        ["MaxPool_KernelLargerThanInput"] = ("MaxPool", 17, [[1, 1, 2, 2]], [("kernel_shape", new long[] { 3, 3 })]),
        ["Reshape_WrongElementCount"] = ("Reshape", 17, [[2, 3], [1]], []),
        ["Softmax_AxisOutOfRange"] = ("Softmax", 17, [[2, 3]], [("axis", 3L)]),
        ["Transpose_PermWrongLength"] = ("Transpose", 17, [[2, 3, 4]], [("perm", new long[] { 1, 0 })]),
        ["Where_NotBroadcastable"] = ("Where", 17, [[2, 3], [2, 3], [4]], []),
        ["Expand_NotBroadcastable"] = ("Expand", 17, [[2, 3], [2]], []),
        ["Gather_IndexOutOfRange"] = ("Gather", 17, [[5, 2], [1]], []),
        ["BatchNormalization_ChannelsDiffer"] = ("BatchNormalization", 15, [[2, 3, 4], [4], [4], [4], [4]], []),
        ["LayerNormalization_ScaleDiffers"] = ("LayerNormalization", 17, [[2, 3, 4], [5]], []),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputsThatDoNotFit_AreADiagnosticNamingTheNode(string name)
    {
        var (op, opset, shapes, attributes) = Models[name];
        Compress.Runtime.TorchRuntime.Initialize();
        var b = new ModelBuilder(opset);
        var inputs = new List<string>();
        var feeds = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        for (var i = 0; i < shapes.Length; i++)
        {
            var integer = (op is "Reshape" or "Expand" && i == 1) || (op == "Gather" && i == 1);
            var condition = op == "Where" && i == 0;
            var type = integer ? DataType.Int64 : condition ? DataType.Bool : DataType.Float;
            inputs.Add(b.Input($"i{i}", type));
            feeds[$"i{i}"] = op switch
            {
                "Reshape" when i == 1 => tensor(new long[] { 7 }),
                "Expand" when i == 1 => tensor(new long[] { 2, 4 }),
                "Gather" when i == 1 => tensor(new long[] { 9 }),
                _ when condition => ones(shapes[i], dtype: ScalarType.Bool),
                _ => ones(shapes[i]),
            };
        }

        b.Output(b.Node(op, inputs, attributes));
        using var module = OnnxGraphModule.Create(b.Build());
        module.eval();
        var e = Assert.Throws<CompressException>(() => module.Forward(feeds));
        var d = Assert.Single(e.Diagnostics);
        Assert.Contains(d.Code, new[] { ModelMessages.NodeFailedCode, ModelMessages.InvalidAttributeCode });
        Assert.Equal($"{op}_0", d.Node);
    }
}
