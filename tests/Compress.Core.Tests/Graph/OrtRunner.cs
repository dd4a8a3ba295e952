using Compress.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Compress.Core.Tests.Graph;

/// <summary>A named test tensor: data (float[], double[], long[], int[], bool[], sbyte[], byte[]) and its shape.</summary>
public sealed record CaseTensor(string Name, Array Data, long[] Shape)
{
    public static CaseTensor Floats(string name, float[] data, params long[] shape) => new(name, data, shape);

    public static CaseTensor Longs(string name, long[] data, params long[] shape) => new(name, data, shape);

    public static CaseTensor Bools(string name, bool[] data, params long[] shape) => new(name, data, shape);

    public static CaseTensor SByte(string name, sbyte[] data, params long[] shape) => new(name, data, shape);

    public static CaseTensor Byte(string name, byte[] data, params long[] shape) => new(name, data, shape);

    /// <summary>Seeded uniform values in [low, high).</summary>
    public static CaseTensor Random(string name, int seed, float low, float high, params long[] shape)
    {
        var random = new Random(seed);
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = low + ((float)random.NextDouble() * (high - low));
        }

        return new(name, data, shape);
    }
}

/// <summary>Runs a <see cref="ModelProto"/> with ONNX Runtime on the CPU, from its serialized bytes.</summary>
public static class OrtRunner
{
    public static Dictionary<string, CaseTensor> Run(ModelProto model, IEnumerable<CaseTensor> inputs) =>
        Run(model.ToByteArray(), inputs);

    public static Dictionary<string, CaseTensor> Run(byte[] modelBytes, IEnumerable<CaseTensor> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(modelBytes, options);
        var list = inputs.ToList();
        var values = list.Select(ToOrt).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, list.Select(i => i.Name).ToList(), values, session.OutputNames);
            var outputs = new Dictionary<string, CaseTensor>();
            for (var i = 0; i < session.OutputNames.Count; i++)
            {
                outputs[session.OutputNames[i]] = FromOrt(session.OutputNames[i], results[i]);
            }

            return outputs;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static OrtValue ToOrt(CaseTensor t) => t.Data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, t.Shape),
        double[] d => OrtValue.CreateTensorValueFromMemory(d, t.Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, t.Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, t.Shape),
        bool[] b => OrtValue.CreateTensorValueFromMemory(b, t.Shape),
        // byte[] and sbyte[] match each other's patterns (CLR array variance): test the exact type.
        sbyte[] s when t.Data.GetType() == typeof(sbyte[]) => OrtValue.CreateTensorValueFromMemory(s, t.Shape),
        byte[] u => OrtValue.CreateTensorValueFromMemory(u, t.Shape),
        _ => throw new ArgumentException($"unsupported test tensor type {t.Data.GetType()}"),
    };

    private static CaseTensor FromOrt(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Float => new(name, value.GetTensorDataAsSpan<float>().ToArray(), shape),
            TensorElementType.Double => new(name, value.GetTensorDataAsSpan<double>().ToArray(), shape),
            TensorElementType.Int64 => new(name, value.GetTensorDataAsSpan<long>().ToArray(), shape),
            TensorElementType.Int32 => new(name, value.GetTensorDataAsSpan<int>().ToArray(), shape),
            TensorElementType.Bool => new(name, value.GetTensorDataAsSpan<bool>().ToArray(), shape),
            TensorElementType.Int8 => new(name, value.GetTensorDataAsSpan<sbyte>().ToArray(), shape),
            TensorElementType.UInt8 => new(name, value.GetTensorDataAsSpan<byte>().ToArray(), shape),
            _ => throw new NotSupportedException($"output {name} has element type {info.ElementDataType}"),
        };
    }
}
