using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Onnx;

/// <summary>
/// Builds small ONNX models in code: the operator parity cases, the sample's randomly initialised network and
/// front-end graphs. Names are generated (<c>v0</c>, <c>v1</c>, ...) unless given; nodes are named
/// <c>OpType_index</c>. The result is an ordinary <see cref="ModelProto"/> (IR version 8).
/// </summary>
public sealed class ModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "graph" };
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Starts a model importing the default domain at <paramref name="opset"/>.</summary>
    public ModelBuilder(long opset = 17)
    {
        _opsets[""] = opset;
    }

    /// <summary>The graph being built (for edits the builder does not cover).</summary>
    public GraphProto Graph => _graph;

    /// <summary>Imports another operator domain.</summary>
    public ModelBuilder Opset(string domain, long version)
    {
        _opsets[domain] = version;
        return this;
    }

    /// <summary>Declares a graph input. Dimensions are <see cref="long"/> (fixed) or <see cref="string"/> (symbolic, e.g. "N").</summary>
    public string Input(string name, DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output with a type and shape.</summary>
    public string Output(string name, DataType type, params object[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output of type float with unknown shape.</summary>
    public string Output(string name) => Output(name, DataType.Float);

    /// <summary>Adds a float initializer.</summary>
    public string Initializer(string name, float[] values, params long[] dims) =>
        Initializer(Tensor(name, values, dims));

    /// <summary>Adds an int64 initializer.</summary>
    public string Initializer(string name, long[] values, params long[] dims) =>
        Initializer(Tensor(name, values, dims));

    /// <summary>Adds an initializer.</summary>
    public string Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params (string Name, object Value)[] attributes) =>
        Node(opType, inputs, 1, "", attributes)[0];

    /// <summary>Adds a node; returns its output names. Use "" in <paramref name="inputs"/> for an omitted optional input.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputs, string domain = "", params (string Name, object Value)[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}", Domain = domain };
        node.Input.AddRange(inputs);
        var names = new string[outputs];
        for (var i = 0; i < outputs; i++)
        {
            names[i] = $"v{_counter++}";
        }

        node.Output.AddRange(names);
        foreach (var (name, value) in attributes)
        {
            node.Attribute.Add(Attribute(name, value));
        }

        _graph.Node.Add(node);
        return names;
    }

    /// <summary>The finished model.</summary>
    public ModelProto Build()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Compress.ModelBuilder", Graph = _graph.Clone() };
        foreach (var (domain, version) in _opsets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        return model;
    }

    /// <summary>A float tensor proto (raw_data).</summary>
    public static TensorProto Tensor(string name, float[] values, params long[] dims) =>
        Raw(name, DataType.Float, values.AsSpan(), dims);

    /// <summary>An int64 tensor proto (raw_data).</summary>
    public static TensorProto Tensor(string name, long[] values, params long[] dims) =>
        Raw(name, DataType.Int64, values.AsSpan(), dims);

    /// <summary>An int8 tensor proto (raw_data).</summary>
    public static TensorProto Tensor(string name, sbyte[] values, params long[] dims) =>
        Raw(name, DataType.Int8, values.AsSpan(), dims);

    /// <summary>A uint8 tensor proto (raw_data).</summary>
    public static TensorProto Tensor(string name, byte[] values, params long[] dims) =>
        Raw(name, DataType.Uint8, values.AsSpan(), dims);

    /// <summary>An attribute from a C# value: long/int, float/double, string, long[]/int[], float[], string[], TensorProto, GraphProto.</summary>
    public static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case int[] iS: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(iS.Select(x => (long)x)); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case string[] ss: a.Type = AttributeProto.Types.AttributeType.Strings; a.Strings.AddRange(ss.Select(ByteString.CopyFromUtf8)); break;
            case TensorProto t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = t; break;
            case GraphProto g: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = g; break;
            default: throw new ArgumentException($"unsupported attribute value type {value?.GetType()}", nameof(value));
        }

        return a;
    }

    /// <summary>A value info with a tensor type and shape (dims: long fixed, string symbolic).</summary>
    public static ValueInfoProto ValueInfo(string name, DataType type, params object[] dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims.Length > 0)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var d in dims)
            {
                tensorType.Shape.Dim.Add(d switch
                {
                    string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                    long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                    int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                    _ => throw new ArgumentException($"dimension {d} must be long, int or string", nameof(dims)),
                });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static TensorProto Raw<T>(string name, DataType type, ReadOnlySpan<T> values, long[] dims)
        where T : unmanaged
    {
        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) };
        proto.Dims.AddRange(dims);
        return proto;
    }
}
