using Compress.Diagnostics;
using Compress.Onnx.Proto;
using AttributeType = Compress.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Compress.Graph;

/// <summary>
/// A node as an operator sees it: its proto, a stable display name, the opset it runs under and typed access to
/// its attributes. Invalid attributes become CMP2102 diagnostics naming the node.
/// </summary>
public sealed class OnnxNodeInfo
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    internal OnnxNodeInfo(NodeProto proto, int index, long opset, int sinceVersion, GraphCompiler compiler)
    {
        Proto = proto;
        Name = string.IsNullOrEmpty(proto.Name) ? $"{proto.OpType}#{index}" : proto.Name;
        Opset = opset;
        SinceVersion = sinceVersion;
        Compiler = compiler;
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in proto.Attribute)
        {
            _attributes[attribute.Name] = attribute;
        }
    }

    /// <summary>The node as stored in the model.</summary>
    public NodeProto Proto { get; }

    /// <summary>The node's name, or <c>OpType#index</c> when the model leaves it empty.</summary>
    public string Name { get; }

    /// <summary>The operator type.</summary>
    public string OpType => Proto.OpType;

    /// <summary>The model's opset version for the node's domain.</summary>
    public long Opset { get; }

    /// <summary>The registered since-version that was chosen for <see cref="Opset"/>.</summary>
    public int SinceVersion { get; }

    internal GraphCompiler Compiler { get; }

    /// <summary>True when the node has the attribute.</summary>
    public bool Has(string name) => _attributes.ContainsKey(name);

    /// <summary>An INT attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) => Get(name, AttributeType.Int) is { } a ? a.I : fallback;

    /// <summary>An INT attribute that must be present.</summary>
    public long RequiredInt(string name) => Required(name, AttributeType.Int).I;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) => Get(name, AttributeType.Float) is { } a ? a.F : fallback;

    /// <summary>A STRING attribute (UTF-8), or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) => Get(name, AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>An INTS attribute, or null when absent.</summary>
    public long[]? Ints(string name) => Get(name, AttributeType.Ints) is { } a ? a.Ints.ToArray() : null;

    /// <summary>A FLOATS attribute, or null when absent.</summary>
    public float[]? Floats(string name) => Get(name, AttributeType.Floats) is { } a ? a.Floats.ToArray() : null;

    /// <summary>A STRINGS attribute, or null when absent.</summary>
    public string[]? Strings(string name) => Get(name, AttributeType.Strings) is { } a ? a.Strings.Select(s => s.ToStringUtf8()).ToArray() : null;

    /// <summary>A TENSOR attribute, or null when absent.</summary>
    public TensorProto? Tensor(string name) => Get(name, AttributeType.Tensor)?.T;

    /// <summary>A GRAPH attribute that must be present.</summary>
    public GraphProto RequiredGraph(string name) => Required(name, AttributeType.Graph).G;

    /// <summary>The attribute of any type, or null.</summary>
    public AttributeProto? Raw(string name) => _attributes.GetValueOrDefault(name);

    /// <summary>A CMP2102 error about this node, to throw.</summary>
    public CompressException Invalid(string detail) =>
        new(ModelMessages.InvalidAttribute(Name, OpType, detail));

    /// <summary>A CMP2106 error: this node failed while running (inputs whose shapes or types do not fit), to throw.</summary>
    public CompressException Failed(string detail) =>
        new(ModelMessages.NodeFailed(Name, OpType, detail));

    /// <summary>Compiles a sub-graph (e.g. of If) that may read this graph's values by name.</summary>
    public CompiledGraph CompileSubgraph(GraphProto graph) => Compiler.CompileSubgraph(graph, this);

    private AttributeProto? Get(string name, AttributeType expected)
    {
        if (!_attributes.TryGetValue(name, out var attribute))
        {
            return null;
        }

        var actual = attribute.HasType ? attribute.Type : Infer(attribute);
        if (actual != expected)
        {
            throw Invalid($"attribute '{name}' must be {expected} but is {actual}");
        }

        return attribute;
    }

    private AttributeProto Required(string name, AttributeType expected) =>
        Get(name, expected) ?? throw Invalid($"required attribute '{name}' is missing");

    private static AttributeType Infer(AttributeProto a) =>
        a.HasF ? AttributeType.Float : a.HasI ? AttributeType.Int : a.HasS ? AttributeType.String
        : a.T is not null ? AttributeType.Tensor : a.G is not null ? AttributeType.Graph
        : a.Floats.Count > 0 ? AttributeType.Floats : a.Ints.Count > 0 ? AttributeType.Ints
        : a.Strings.Count > 0 ? AttributeType.Strings : AttributeType.Undefined;
}
