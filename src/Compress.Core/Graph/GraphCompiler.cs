using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>
/// Turns a <see cref="GraphProto"/> into a <see cref="CompiledGraph"/>: checks every operator is supported (all
/// problems at once), orders nodes topologically (ties keep the file's order, so runs are deterministic), makes
/// float initializers trainable parameters and the rest buffers, and folds nodes whose inputs are all constant.
/// </summary>
internal sealed class GraphCompiler
{
    /// <summary>A node no registered operator implements: its display name, normalised domain, type and the model's opset for the domain.</summary>
    internal sealed record UnsupportedNode(string Node, string Domain, string OpType, long Opset);

    private readonly OperatorRegistry _registry;
    private readonly IReadOnlyDictionary<string, long> _opsets;
    private readonly string? _file;
    private readonly Func<string, Tensor, bool, Tensor> _registerWeight;

    /// <param name="registerWeight">Registers an initializer (name, tensor, trainable) and returns the tensor to use.</param>
    public GraphCompiler(OperatorRegistry registry, IReadOnlyDictionary<string, long> opsets, string? file, Func<string, Tensor, bool, Tensor> registerWeight)
    {
        _registry = registry;
        _opsets = opsets;
        _file = file;
        _registerWeight = registerWeight;
    }

    /// <summary>Every unsupported node of the graph and its sub-graphs, one diagnostic each.</summary>
    public IReadOnlyList<Diagnostic> FindUnsupported(GraphProto graph) =>
        FindUnsupportedNodes(graph)
            .Select(n => ModelMessages.UnsupportedOperator(_file, n.Node, n.Domain, n.OpType, n.Opset, _registry.SupportedNames))
            .ToList();

    /// <summary>Every node of the graph and its sub-graphs that no registered operator implements, in file order.</summary>
    public IReadOnlyList<UnsupportedNode> FindUnsupportedNodes(GraphProto graph)
    {
        var problems = new List<UnsupportedNode>();
        Visit(graph);
        return problems;

        void Visit(GraphProto g)
        {
            for (var i = 0; i < g.Node.Count; i++)
            {
                var node = g.Node[i];
                var domain = OperatorRegistry.Normalise(node.Domain);
                var opset = OpsetOf(domain);
                if (_registry.Find(domain, node.OpType, opset) is null)
                {
                    problems.Add(new UnsupportedNode(string.IsNullOrEmpty(node.Name) ? $"{node.OpType}#{i}" : node.Name, domain, node.OpType, opset));
                }

                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is not null)
                    {
                        Visit(attribute.G);
                    }

                    foreach (var sub in attribute.Graphs)
                    {
                        Visit(sub);
                    }
                }
            }
        }
    }

    /// <summary>Compiles the main graph.</summary>
    public CompiledGraph Compile(GraphProto graph) => CompileCore(graph, outerNames: null);

    /// <summary>Compiles a sub-graph that may read values of its parent graph.</summary>
    public CompiledGraph CompileSubgraph(GraphProto graph, OnnxNodeInfo owner) => CompileCore(graph, outerNames: owner);

    /// <summary>
    /// The operator for one node, bound and initialised as the compiled graph would run it; null when no registered
    /// operator implements it or its attributes are invalid (the executor reports those when it compiles the graph).
    /// </summary>
    internal OnnxOperator? TryCreate(NodeProto node, int index)
    {
        var domain = OperatorRegistry.Normalise(node.Domain);
        var opset = OpsetOf(domain);
        if (_registry.Find(domain, node.OpType, opset) is not { } registration)
        {
            return null;
        }

        var op = registration.Factory();
        try
        {
            op.Bind(new OnnxNodeInfo(node, index, opset, registration.SinceVersion, this));
            return op;
        }
        catch (CompressException)
        {
            return null;
        }
    }

    private long OpsetOf(string domain) => _opsets.TryGetValue(domain, out var v) ? v : domain.Length == 0 ? 21 : 1;

    private CompiledGraph CompileCore(GraphProto graph, OnnxNodeInfo? outerNames)
    {
        var unsupported = FindUnsupported(graph);
        if (unsupported.Count > 0)
        {
            throw new CompressException(unsupported);
        }

        var initializers = graph.Initializer.Select(t => t.Name)
            .Concat(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name))
            .ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToList();

        // Instantiate operators first: they declare which inputs are state (buffers, not parameters).
        var ordered = TopologicalOrder(graph, outerNames is not null);
        var steps = new List<GraphStep>(ordered.Count);
        var stateNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, index) in ordered)
        {
            var domain = OperatorRegistry.Normalise(node.Domain);
            var opset = OpsetOf(domain);
            var registration = _registry.Find(domain, node.OpType, opset)!;
            var op = registration.Factory();
            op.Bind(new OnnxNodeInfo(node, index, opset, registration.SinceVersion, this));
            foreach (var state in op.StateInputs)
            {
                if (state < node.Input.Count)
                {
                    stateNames.Add(node.Input[state]);
                }
            }

            steps.Add(new GraphStep(op, node.Input.ToList(), node.Output.ToList()));
        }

        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // Sparse initializers (as Compress exports pruned weights) run as the dense tensors they stand for.
        var stored = graph.Initializer.Select(t => (t.Name, Make: (Func<Tensor>)(() => OnnxTensors.ToTorch(t))))
            .Concat(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => (s.Values.Name, Make: (Func<Tensor>)(() => OnnxTensors.ToTorch(s)))));
        foreach (var (name, make) in stored)
        {
            var tensor = make();
            var floating = tensor.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;
            if (floating)
            {
                weights[name] = _registerWeight(name, tensor, !stateNames.Contains(name));
            }
            else
            {
                constants[name] = tensor.DetachFromDisposeScope();
            }
        }

        var folded = Fold(steps, constants);
        return new CompiledGraph(steps.Except(folded).ToList(), inputs, graph.Output.Select(o => o.Name).ToList(), weights, constants, folded.Count);
    }

    private static List<GraphStep> Fold(List<GraphStep> steps, Dictionary<string, Tensor> constants)
    {
        var folded = new List<GraphStep>();
        using var noGrad = no_grad();
        foreach (var step in steps)
        {
            if (!step.Operator.IsFoldable || !step.Inputs.All(n => n.Length == 0 || constants.ContainsKey(n)))
            {
                continue;
            }

            var inputs = step.Inputs.Select(n => n.Length == 0 ? null : constants[n]).ToList();
            var results = step.Operator.Forward(ExecutionContext.Eval, inputs);
            for (var i = 0; i < step.Outputs.Count && i < results.Length; i++)
            {
                if (step.Outputs[i].Length > 0)
                {
                    // Inputs may be returned as-is (Identity); keep one owner per tensor.
                    constants[step.Outputs[i]] = inputs.Contains(results[i]) ? results[i].clone().DetachFromDisposeScope() : results[i].DetachFromDisposeScope();
                }
            }

            folded.Add(step);
        }

        return folded;
    }

    /// <summary>The nodes in execution order, by the one rule <see cref="GraphStructure.Order"/> (CMP2103 for every defect).</summary>
    private List<(NodeProto Node, int Index)> TopologicalOrder(GraphProto graph, bool hasOuterScope)
    {
        var order = GraphStructure.Order(graph, hasOuterScope ? _ => true : null, _file);
        return order.Value is { } indices
            ? indices.Select(i => (graph.Node[i], i)).ToList()
            : throw new CompressException(order.Diagnostics);
    }
}
