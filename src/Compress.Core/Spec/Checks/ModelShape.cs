using Compress.Onnx.Proto;

namespace Compress.Spec.Checks;

/// <summary>A graph input or output as declared: its name, element type and dimensions (null = symbolic or unknown).</summary>
public sealed record ModelTensor(string Name, string ElementType, IReadOnlyList<long?>? Dimensions)
{
    /// <summary>The rank, when the shape is declared.</summary>
    public int? Rank => Dimensions?.Count;

    /// <summary><c>name float [N,1,49,10]</c>.</summary>
    public override string ToString() =>
        $"{Name} {ElementType} " + (Dimensions is null ? "[?]" : "[" + string.Join(",", Dimensions.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N")) + "]");

    internal static ModelTensor From(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        var type = tensor is null ? "?" : Enum.IsDefined(typeof(TensorProto.Types.DataType), tensor.ElemType)
            ? ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant()
            : tensor.ElemType.ToString(System.Globalization.CultureInfo.InvariantCulture);
        IReadOnlyList<long?>? dims = tensor?.Shape is null
            ? null
            : tensor.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToList();
        return new ModelTensor(value.Name, type, dims);
    }
}

/// <summary>What <c>validate</c> and <c>init</c> need to know about a model: its real inputs, outputs, opsets and operators.</summary>
public sealed record ModelShape(IReadOnlyList<ModelTensor> Inputs, IReadOnlyList<ModelTensor> Outputs, IReadOnlyDictionary<string, long> Opsets, int Nodes, IReadOnlyList<(string Domain, string OpType)> Operators)
{
    /// <summary>Reads the facts of <paramref name="model"/> (inputs that are initializers are left out; subgraph nodes are counted).</summary>
    public static ModelShape Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? new GraphProto();
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            opsets[Graph.OperatorRegistry.Normalise(opset.Domain)] = opset.Version;
        }

        var nodes = AllNodes(graph).ToList();
        var operators = nodes.Select(n => (Graph.OperatorRegistry.Normalise(n.Domain), n.OpType)).Distinct().Order().ToList();
        return new ModelShape(
            graph.Input.Where(i => !initializers.Contains(i.Name)).Select(ModelTensor.From).ToList(),
            graph.Output.Select(ModelTensor.From).ToList(),
            opsets,
            nodes.Count,
            operators);
    }

    /// <summary>Every node of the graph and of its subgraphs (If/Loop/Scan bodies).</summary>
    internal static IEnumerable<NodeProto> AllNodes(GraphProto graph)
    {
        foreach (var node in graph.Node)
        {
            yield return node;
            foreach (var attribute in node.Attribute)
            {
                var subgraphs = attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G);
                foreach (var inner in subgraphs.SelectMany(AllNodes))
                {
                    yield return inner;
                }
            }
        }
    }
}
