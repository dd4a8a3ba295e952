using Compress.Diagnostics;
using Compress.Onnx.Proto;

namespace Compress.Onnx;

/// <summary>
/// The structural rules of an ONNX graph, on the protobuf alone (no tensors are made, so it takes milliseconds):
/// every value has one producer (a graph input, an initializer or one node output), every node input and graph output
/// names a value that exists (in a sub-graph: or one of an enclosing graph), and the nodes can be ordered, i.e. there is
/// no cycle. <see cref="Check"/> finds every defect of a model at once (what <c>OnnxModelIO.Load</c> reports, so
/// <c>validate</c>, <c>inspect</c> and <c>run</c> reject the same models); <see cref="Order"/> is the executor's
/// topological order, by the same rules.
/// </summary>
public static class GraphStructure
{
    /// <summary>How many node names a cycle diagnostic lists before "and N more".</summary>
    private const int NamesListed = 5;

    /// <summary>Every structural defect of <paramref name="graph"/> and its sub-graphs (CMP2103, naming the node or value).</summary>
    public static IReadOnlyList<Diagnostic> Check(GraphProto graph, string? file)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var problems = new List<Diagnostic>();
        CheckGraph(graph, outer: null, file, problems);
        return problems;
    }

    /// <summary>
    /// The indices of <paramref name="graph"/>'s nodes in an order where every node comes after the producers of its
    /// inputs; ties keep the file's order, so the order is deterministic. <paramref name="outer"/> says whether a name
    /// is visible from an enclosing graph (null for a model's main graph). Fails with every CMP2103 defect found.
    /// </summary>
    public static Result<IReadOnlyList<int>> Order(GraphProto graph, Func<string, bool>? outer, string? file)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var problems = new List<Diagnostic>();
        var order = OrderCore(graph, Declared(graph, file, problems), outer, file, problems);
        return problems.Count > 0 ? Result<IReadOnlyList<int>>.Fail(problems) : Result<IReadOnlyList<int>>.Ok(order);
    }

    /// <summary>The names a graph declares (inputs, initializers, sparse initializers); duplicates are reported.</summary>
    private static HashSet<string> Declared(GraphProto graph, string? file, List<Diagnostic> problems)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name)))
        {
            if (!initializers.Add(name))
            {
                problems.Add(ModelMessages.BrokenGraph(name, $"initializer '{name}' is defined more than once", file));
            }
        }

        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            if (!inputs.Add(input.Name))
            {
                problems.Add(ModelMessages.BrokenGraph(input.Name, $"graph input '{input.Name}' is declared more than once", file));
            }
        }

        declared.UnionWith(initializers);
        declared.UnionWith(inputs);
        return declared;
    }

    private static void CheckGraph(GraphProto graph, Func<string, bool>? outer, string? file, List<Diagnostic> problems)
    {
        var declared = Declared(graph, file, problems);
        OrderCore(graph, declared, outer, file, problems);
        var produced = graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        foreach (var output in graph.Output.Where(o => !declared.Contains(o.Name) && !produced.Contains(o.Name) && outer?.Invoke(o.Name) != true))
        {
            problems.Add(ModelMessages.BrokenGraph(output.Name, $"graph output '{output.Name}' is not produced by any node, graph input or initializer", file));
        }

        // A sub-graph sees every name of the graphs around it.
        bool Visible(string name) => declared.Contains(name) || produced.Contains(name) || outer?.Invoke(name) == true;
        foreach (var node in graph.Node)
        {
            foreach (var attribute in node.Attribute)
            {
                // Recursion is bounded: protobuf's parser refuses messages nested deeper than 100 (CMP2002).
                foreach (var sub in attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G))
                {
                    CheckGraph(sub, Visible, file, problems);
                }
            }
        }
    }

    private static List<int> OrderCore(GraphProto graph, HashSet<string> declared, Func<string, bool>? outer, string? file, List<Diagnostic> problems)
    {
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output.Where(o => o.Length > 0))
            {
                if (declared.Contains(output))
                {
                    problems.Add(ModelMessages.BrokenGraph(NameOf(graph, i), $"value '{output}' is produced by a node and is also a graph input or initializer", file));
                }
                else if (!producers.TryAdd(output, i))
                {
                    problems.Add(ModelMessages.BrokenGraph(NameOf(graph, i), $"value '{output}' is produced by more than one node ('{NameOf(graph, producers[output])}' too)", file));
                }
            }
        }

        var pending = new int[graph.Node.Count];
        var consumers = new List<int>[graph.Node.Count];
        for (var i = 0; i < graph.Node.Count; i++)
        {
            consumers[i] = [];
        }

        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var input in graph.Node[i].Input.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (producers.TryGetValue(input, out var producer))
                {
                    pending[i]++;
                    consumers[producer].Add(i);
                }
                else if (!declared.Contains(input) && outer?.Invoke(input) != true)
                {
                    problems.Add(ModelMessages.BrokenGraph(NameOf(graph, i), $"input '{input}' is not produced by any node, graph input or initializer", file));
                }
            }
        }

        var ready = new SortedSet<int>(Enumerable.Range(0, graph.Node.Count).Where(i => pending[i] == 0));
        var order = new List<int>(graph.Node.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            order.Add(next);
            foreach (var consumer in consumers[next])
            {
                if (--pending[consumer] == 0)
                {
                    ready.Add(consumer);
                }
            }
        }

        if (order.Count != graph.Node.Count)
        {
            var stuck = Enumerable.Range(0, graph.Node.Count).Where(i => pending[i] > 0).ToList();
            var names = string.Join(", ", stuck.Take(NamesListed).Select(i => $"'{NameOf(graph, i)}'"));
            var more = stuck.Count > NamesListed ? $" and {stuck.Count - NamesListed} more" : "";
            problems.Add(ModelMessages.BrokenGraph(NameOf(graph, stuck[0]), $"the graph has a cycle: nodes {names}{more} wait on each other", file));
        }

        return order;
    }

    private static string NameOf(GraphProto graph, int index) =>
        string.IsNullOrEmpty(graph.Node[index].Name) ? $"{graph.Node[index].OpType}#{index}" : graph.Node[index].Name;
}
