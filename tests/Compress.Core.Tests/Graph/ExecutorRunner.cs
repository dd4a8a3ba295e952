using Compress.Graph;
using Compress.Onnx.Proto;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Graph;

/// <summary>Runs a model with the TorchSharp executor and converts results to <see cref="CaseTensor"/>s.</summary>
public static class ExecutorRunner
{
    public static Dictionary<string, CaseTensor> Run(ModelProto model, IEnumerable<CaseTensor> inputs, bool training = false)
    {
        using var module = OnnxGraphModule.Create(model);
        if (training)
        {
            module.train();
        }
        else
        {
            module.eval();
        }

        return Run(module, inputs);
    }

    public static Dictionary<string, CaseTensor> Run(OnnxGraphModule module, IEnumerable<CaseTensor> inputs)
    {
        using var scope = NewDisposeScope();
        var feeds = inputs.ToDictionary(i => i.Name, ToTorch);
        var outputs = module.Forward(feeds);
        return outputs.ToDictionary(o => o.Key, o => FromTorch(o.Key, o.Value));
    }

    public static Tensor ToTorch(CaseTensor t) => t.Data switch
    {
        float[] f => tensor(f, t.Shape),
        double[] d => tensor(d, t.Shape),
        long[] l => tensor(l, t.Shape),
        int[] i => tensor(i, t.Shape),
        bool[] b => tensor(b, t.Shape),
        // byte[] and sbyte[] match each other's patterns (CLR array variance): test the exact type.
        sbyte[] s when t.Data.GetType() == typeof(sbyte[]) => tensor(s, t.Shape),
        byte[] u => tensor(u, t.Shape),
        _ => throw new ArgumentException($"unsupported test tensor type {t.Data.GetType()}"),
    };

    public static CaseTensor FromTorch(string name, Tensor value)
    {
        using var cpu = value.detach().cpu().contiguous();
        var shape = cpu.shape;
        return cpu.dtype switch
        {
            ScalarType.Float32 => new(name, cpu.data<float>().ToArray(), shape),
            ScalarType.Float64 => new(name, cpu.data<double>().ToArray(), shape),
            ScalarType.Int64 => new(name, cpu.data<long>().ToArray(), shape),
            ScalarType.Int32 => new(name, cpu.data<int>().ToArray(), shape),
            ScalarType.Bool => new(name, cpu.data<bool>().ToArray(), shape),
            ScalarType.Int8 => new(name, cpu.data<sbyte>().ToArray(), shape),
            ScalarType.Byte => new(name, cpu.data<byte>().ToArray(), shape),
            _ => throw new NotSupportedException($"output {name} has dtype {cpu.dtype}"),
        };
    }
}
