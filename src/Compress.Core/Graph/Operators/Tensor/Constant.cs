using Compress.Onnx;
using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Constant</c>: a tensor from <c>value</c> or one of the <c>value_*</c> attributes (since 12).</summary>
[OnnxOperator("Constant", 1)]
[OnnxOperator("Constant", 9)]
[OnnxOperator("Constant", 11)]
[OnnxOperator("Constant", 12)]
[OnnxOperator("Constant", 13)]
[OnnxOperator("Constant", 19)]
[OnnxOperator("Constant", 21)]
public sealed class Constant : OnnxOperator
{
    private Onnx.Proto.TensorProto _value = null!;

    /// <inheritdoc />
    protected override void Initialize()
    {
        if (Node.Tensor("value") is { } value)
        {
            _value = value;
        }
        else if (Node.Has("value_float"))
        {
            _value = Scalar(Onnx.Proto.TensorProto.Types.DataType.Float, [], p => p.FloatData.Add(Node.Float("value_float", 0)));
        }
        else if (Node.Floats("value_floats") is { } floats)
        {
            _value = Scalar(Onnx.Proto.TensorProto.Types.DataType.Float, [floats.Length], p => p.FloatData.AddRange(floats));
        }
        else if (Node.Has("value_int"))
        {
            _value = Scalar(Onnx.Proto.TensorProto.Types.DataType.Int64, [], p => p.Int64Data.Add(Node.Int("value_int", 0)));
        }
        else if (Node.Ints("value_ints") is { } ints)
        {
            _value = Scalar(Onnx.Proto.TensorProto.Types.DataType.Int64, [ints.Length], p => p.Int64Data.AddRange(ints));
        }
        else
        {
            throw Node.Invalid("needs one of the attributes value, value_float, value_floats, value_int, value_ints (string and sparse values are not supported)");
        }
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs) => [OnnxTensors.ToTorch(_value)];

    private static Onnx.Proto.TensorProto Scalar(Onnx.Proto.TensorProto.Types.DataType type, long[] dims, Action<Onnx.Proto.TensorProto> fill)
    {
        var proto = new Onnx.Proto.TensorProto { DataType = (int)type };
        proto.Dims.AddRange(dims);
        fill(proto);
        return proto;
    }
}
