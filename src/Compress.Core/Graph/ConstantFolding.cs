using System.Text.Json;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Runtime;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>
/// A model with its constant sub-graphs folded into initializers (<see cref="ConstantFolding.Fold"/>).
/// </summary>
/// <param name="Model">The folded copy (the input model is not modified).</param>
/// <param name="Sources">For each initializer folding created, the original initializers it was computed from, in the
/// order of the input model's initializers (empty for a <c>Constant</c> node's value).</param>
/// <param name="FoldedNodes">How many nodes were evaluated and removed.</param>
/// <param name="RemovedInitializers">Initializers nothing read any more after folding, removed (with their graph input entry, if any).</param>
public sealed record FoldedModel(ModelProto Model, IReadOnlyDictionary<string, IReadOnlyList<string>> Sources, int FoldedNodes, IReadOnlyList<string> RemovedInitializers);

/// <summary>
/// Folds the constant sub-graphs of a model's main graph into initializers, as onnx-simplifier and ONNX Runtime's
/// constant folding do, so that weights an exporter reaches through <c>Identity</c>, <c>Transpose</c>,
/// <c>Unsqueeze</c>/<c>Slice</c>/<c>Concat</c> (PyTorch's GRU/LSTM gate reordering), <c>Cast</c> or a <c>Constant</c>
/// node become initializers that training, pruning and export see directly.
/// <para>
/// A node is folded when it is in the default domain, has no sub-graph attribute, is implemented by a registered
/// operator that is deterministic (<see cref="OnnxOperator.IsFoldable"/>: not Dropout, not random), every non-empty
/// input is an initializer, a <c>Constant</c> output or a folded value, none of its outputs is a graph output, and its
/// outputs hold no more elements than its inputs together (so Expand/Tile/ConstantOfShape never grow the file). Each is
/// evaluated by the executor's own operator. Folded values that something still reads become initializers named
/// after the value; float values of at most one element (an exponent, an epsilon, a scale) and non-float
/// <c>Constant</c> nodes stay <c>Constant</c> nodes instead, so that fine-tuning, which trains every float initializer,
/// does not train them. An initializer read both directly and through a folded sub-graph is copied: PyTorch
/// deduplicates equal tensors through <c>Identity</c> (a fresh BatchNorm's running_var is its weight), and they are
/// different parameters. Initializers nothing reads any more are removed. The provenance of each new initializer is
/// recorded in the model's metadata (<see cref="ProvenanceKey"/>) so that the exported model still says where its
/// weights came from.
/// </para>
/// </summary>
public static class ConstantFolding
{
    /// <summary>The <c>metadata_props</c> key holding the provenance: a JSON object, initializer name → source initializer names.</summary>
    public const string ProvenanceKey = "compress.folded_from";

    /// <summary>Folds <paramref name="model"/> (a copy); loads TorchSharp to evaluate the nodes.</summary>
    public static FoldedModel Fold(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Clone();
        if (copy.Graph is not { } graph)
        {
            return new FoldedModel(copy, new Dictionary<string, IReadOnlyList<string>>(), 0, []);
        }

        TorchRuntime.Initialize();
        var folding = new Folding(copy, graph);
        try
        {
            return folding.Run();
        }
        finally
        {
            folding.Dispose();
        }
    }

    /// <summary>The provenance recorded in <paramref name="model"/> by an earlier <see cref="Fold"/> (empty when none).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Provenance(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = model.MetadataProps.FirstOrDefault(p => p.Key == ProvenanceKey);
        return entry is null
            ? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize<Dictionary<string, List<string>>>(entry.Value)!.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal);
    }

    private sealed class Folding(ModelProto model, GraphProto graph) : IDisposable
    {
        private readonly Dictionary<string, Tensor> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SortedSet<int>> _sources = new(StringComparer.Ordinal);
        // Provenance names float initializers only (the weights), not the shapes, axes and indices that slice them.
        private readonly Dictionary<string, int> _initializerOrder = graph.Initializer.Select((t, i) => (t, i))
            .Where(p => OnnxTensors.ToScalarType(p.t.DataType) is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16)
            .GroupBy(p => p.t.Name).ToDictionary(g => g.Key, g => g.Last().i, StringComparer.Ordinal);
        private readonly Dictionary<string, TensorProto> _initializers = graph.Initializer.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        public FoldedModel Run()
        {
            var compiler = new GraphCompiler(OperatorRegistry.Default, model.OpsetImport.GroupBy(o => OperatorRegistry.Normalise(o.Domain)).ToDictionary(g => g.Key, g => g.Last().Version), null, static (_, t, _) => t);
            var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            var readBefore = ReadNames(graph.Node);
            var folded = new HashSet<int>();

            // File order is topological in valid models; repeat until nothing changes for files that are not.
            for (var changed = true; changed;)
            {
                changed = false;
                for (var i = 0; i < graph.Node.Count; i++)
                {
                    if (!folded.Contains(i) && TryFold(compiler, graph.Node[i], i, outputs))
                    {
                        folded.Add(i);
                        changed = true;
                    }
                }
            }

            var kept = graph.Node.Where((_, i) => !folded.Contains(i)).ToList();
            var read = ReadNames(kept);
            var constants = new List<NodeProto>();
            var created = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var removedNodes = 0;
            foreach (var i in folded.Order())
            {
                var node = graph.Node[i];
                var materialised = node.Output.Where(o => o.Length > 0 && read.Contains(o)).ToList();
                if (node.OpType == "Constant" && materialised.Count == 1 && !IsWeightLike(_values[materialised[0]]))
                {
                    constants.Add(node); // a shape, an axis or a scalar: left as it was
                    continue;
                }

                removedNodes++;
                foreach (var name in materialised)
                {
                    var value = _values[name];
                    if (IsWeightLike(value) || !IsFloat(value))
                    {
                        graph.Initializer.Add(OnnxTensors.FromTorch(value, name));
                        created[name] = _sources[name].Select(s => graph.Initializer[s].Name).ToList();
                    }
                    else
                    {
                        var constant = new NodeProto { OpType = "Constant", Name = $"{NameOf(node, i)}/folded", Output = { name } };
                        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensors.FromTorch(value, name) });
                        constants.Add(constant);
                    }
                }
            }

            if (removedNodes == 0)
            {
                return new FoldedModel(model, Provenance(model), 0, []);
            }

            graph.Node.Clear();
            graph.Node.AddRange(constants.Concat(kept));
            var removed = RemoveDead(readBefore, ReadNames(graph.Node), outputs);
            var provenance = RecordProvenance(created);
            return new FoldedModel(model, provenance, removedNodes, removed);
        }

        public void Dispose()
        {
            foreach (var value in _values.Values)
            {
                value.Dispose();
            }
        }

        private bool TryFold(GraphCompiler compiler, NodeProto node, int index, HashSet<string> outputs)
        {
            if (OperatorRegistry.Normalise(node.Domain).Length != 0 || node.Output.All(o => o.Length == 0) || node.Output.Any(outputs.Contains)
                || node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)
                || !node.Input.All(n => n.Length == 0 || _values.ContainsKey(n) || _initializers.ContainsKey(n))
                || compiler.TryCreate(node, index) is not { IsFoldable: true } op)
            {
                return false;
            }

            var inputs = node.Input.Select(n => n.Length == 0 ? null : Value(n)).ToList();
            Tensor[] results;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                try
                {
                    results = op.Forward(ExecutionContext.Eval, inputs);
                }
                catch (Exception e) when (e is CompressException or System.Runtime.InteropServices.ExternalException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
                {
                    return false; // the executor reports it when it runs the node
                }

                var grows = node.OpType != "Constant" && results.Sum(r => r.numel()) > inputs.Sum(t => t?.numel() ?? 0);
                if (grows || results.Length < node.Output.Count(o => o.Length > 0))
                {
                    return false;
                }

                var sources = new SortedSet<int>(node.Input.Where(n => n.Length > 0).SelectMany(n => _sources.TryGetValue(n, out var s) ? s : _initializerOrder.TryGetValue(n, out var own) ? [own] : []));
                for (var o = 0; o < node.Output.Count && o < results.Length; o++)
                {
                    if (node.Output[o].Length > 0)
                    {
                        _values[node.Output[o]] = results[o].clone().DetachFromDisposeScope();
                        _sources[node.Output[o]] = sources;
                    }
                }
            }

            return true;
        }

        private Tensor Value(string name)
        {
            if (!_values.TryGetValue(name, out var value))
            {
                value = OnnxTensors.ToTorch(_initializers[name]).DetachFromDisposeScope();
                _values[name] = value;
            }

            return value;
        }

        private List<string> RemoveDead(HashSet<string> readBefore, HashSet<string> readAfter, HashSet<string> outputs)
        {
            var dead = graph.Initializer.Where(t => readBefore.Contains(t.Name) && !readAfter.Contains(t.Name) && !outputs.Contains(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            RemoveWhere(graph.Initializer, t => dead.Contains(t.Name));
            RemoveWhere(graph.Input, i => dead.Contains(i.Name)); // old exporters list initializers as inputs too
            var defined = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
            RemoveWhere(graph.ValueInfo, v => !defined.Contains(v.Name));
            return dead.Order(StringComparer.Ordinal).ToList();
        }

        private Dictionary<string, IReadOnlyList<string>> RecordProvenance(Dictionary<string, IReadOnlyList<string>> created)
        {
            // A model folded before (a spec run twice on an exported model) keeps its first provenance.
            var earlier = Provenance(model);
            var all = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var present = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, sources) in earlier.Where(p => present.Contains(p.Key)))
            {
                all[name] = sources;
            }

            foreach (var (name, sources) in created)
            {
                all[name] = sources.SelectMany(s => earlier.TryGetValue(s, out var deeper) ? deeper : [s]).Distinct(StringComparer.Ordinal).ToList();
            }

            RemoveWhere(model.MetadataProps, p => p.Key == ProvenanceKey);
            var recorded = all.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            if (recorded.Count > 0)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = ProvenanceKey, Value = JsonSerializer.Serialize(recorded) });
            }

            return all;
        }

        /// <summary>Every value name the nodes read, sub-graph bodies included (they may read the main graph's values).</summary>
        private static HashSet<string> ReadNames(IEnumerable<NodeProto> nodes)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Visit(IEnumerable<NodeProto> list)
            {
                foreach (var node in list)
                {
                    names.UnionWith(node.Input.Where(n => n.Length > 0));
                    foreach (var sub in node.Attribute.SelectMany(a => a.Graphs.Prepend(a.G)).Where(g => g is not null))
                    {
                        names.UnionWith(sub.Output.Select(o => o.Name));
                        Visit(sub.Node);
                    }
                }
            }

            Visit(nodes);
            return names;
        }

        private static bool IsFloat(Tensor t) => t.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

        /// <summary>A float tensor of more than one element: trained as a parameter when it is an initializer.</summary>
        private static bool IsWeightLike(Tensor t) => IsFloat(t) && t.numel() > 1;

        private static string NameOf(NodeProto node, int index) => string.IsNullOrEmpty(node.Name) ? $"{node.OpType}#{index}" : node.Name;

        private static void RemoveWhere<T>(Google.Protobuf.Collections.RepeatedField<T> list, Func<T, bool> predicate)
        {
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (predicate(list[i]))
                {
                    list.RemoveAt(i);
                }
            }
        }
    }
}
