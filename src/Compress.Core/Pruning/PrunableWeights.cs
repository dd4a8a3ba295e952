using Compress.Graph;
using Compress.Onnx.Proto;

namespace Compress.Pruning;

/// <summary>Why a prunable tensor is or is not pruned.</summary>
public enum PrunableStatus
{
    /// <summary>Pruned toward the target.</summary>
    Eligible,

    /// <summary>
    /// The first or the last prunable tensor, small enough to protect (at most <see cref="PrunableWeights.ProtectedShareLimit"/>
    /// of all prunable weights), protected by <see cref="PruningOptions.ProtectFirstAndLast"/>.
    /// </summary>
    Protected,

    /// <summary>Left out by <see cref="PruningOptions.Include"/> or <see cref="PruningOptions.Exclude"/>.</summary>
    Excluded,
}

/// <summary>
/// A weight initializer that pruning may zero: its ONNX name, the node that consumes it (first prunable use, in graph
/// order), the node's operator, its shape as stored, whether it is pruned (<see cref="Status"/>, and why:
/// <see cref="StatusReason"/>), every weight operand that reads it (<see cref="Uses"/>: more than one for a shared
/// weight), and, for an initializer constant folding computed, the initializers of the input model it was computed
/// from (<see cref="Sources"/>, e.g. <c>onnx::GRU_137</c> ← <c>gru.weight_ih_l0</c>; empty otherwise).
/// </summary>
public sealed record PrunableTensor(string Name, string Node, string OpType, IReadOnlyList<long> Shape, PrunableStatus Status, IReadOnlyList<WeightOperand> Uses)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The input model's initializers this tensor was folded from (empty when it is one of them).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Why the tensor has its <see cref="Status"/>, as a phrase for reports and <c>inspect</c>; empty for an eligible tensor that is neither first nor last.</summary>
    public string StatusReason { get; init; } = "";

    /// <summary>The name with its sources, as reports show it: <c>onnx::GRU_137 (gru.weight_ih_l0)</c>.</summary>
    public string DisplayName => Sources.Count == 0 ? Name : $"{Name} ({string.Join(", ", Sources)})";
}

/// <summary>
/// The one rule for "prunable weight", used by <c>inspect</c>, <c>validate</c> and <c>run</c>.
/// <para>
/// A <em>weight operand</em> is a node input listed in the registry below (default ONNX domain only): input 1 (W) of
/// Conv and ConvTranspose; input 1 (B) of Gemm and MatMul, and input 0 (A) when A is a constant (an initializer or a
/// Constant node's output); inputs 1 (W) and 2 (R) of LSTM and GRU. Biases, normalisation parameters and running
/// statistics are never weight operands. Nodes inside sub-graphs (If/Loop/Scan bodies) are visited too, resolving
/// names through the enclosing graphs (a sub-graph's inputs and initializers shadow outer names).
/// </para>
/// <para>
/// A weight operand is prunable when it reads a floating-point (float32/float16/bfloat16/double) dense initializer
/// and its node is in the main graph; otherwise <see cref="WeightOperand.Reason"/> says why not. A tensor is prunable
/// when any of its uses is: a weight shared by several nodes is one prunable tensor, listed once.
/// </para>
/// <para>
/// The rule applies to the model as <see cref="Prepare"/> makes it: constant sub-graphs folded into initializers
/// (<see cref="ConstantFolding"/>), so that a weight reached through Identity/Transpose/Slice/Concat/Constant is an
/// initializer. <c>inspect</c>, <c>validate</c> and <c>run</c> all prepare the model this way.
/// </para>
/// </summary>
public static class PrunableWeights
{
    /// <summary>The weight inputs of each operator (default domain): the one table; extend it here.</summary>
    private static readonly Dictionary<string, WeightSlots> Registry = new(StringComparer.Ordinal)
    {
        ["Conv"] = new([1]),
        ["ConvTranspose"] = new([1]),
        ["Gemm"] = new([1], IfConstant: [0]),
        ["MatMul"] = new([1], IfConstant: [0]),
        ["LSTM"] = new([1, 2]),
        ["GRU"] = new([1, 2]),
    };

    /// <summary>Operators that have weight operands, in registry order.</summary>
    public static IReadOnlyCollection<string> Operators => Registry.Keys;

    /// <summary>Every weight operand of <paramref name="model"/>, sub-graphs included, in graph order (a sub-graph's nodes follow their owner).</summary>
    public static IReadOnlyList<WeightOperand> Operands(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var consumers = new Dictionary<Definition, int>(ReferenceEqualityComparer.Instance);
        var pending = new List<(NodeProto Node, string Name, int Index, Definition Source, bool InSubgraph, int Order)>();
        var order = 0;
        Visit(graph, null, inSubgraph: false);
        return pending.Select(p => new WeightOperand(
            p.Node.Input[p.Index], p.Name, p.Node.OpType, p.Index, p.Source.Source, p.InSubgraph, consumers.GetValueOrDefault(p.Source), p.Source.Shape,
            ReasonFor(p.Source, p.InSubgraph), p.Order)).ToList();

        void Visit(GraphProto g, Scope? outer, bool inSubgraph)
        {
            var scope = Scope.Of(g, outer);
            for (var i = 0; i < g.Node.Count; i++)
            {
                var node = g.Node[i];
                var position = order++;
                foreach (var input in node.Input.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
                {
                    if (scope.Resolve(input) is { } read)
                    {
                        consumers[read] = consumers.GetValueOrDefault(read) + 1;
                    }
                }

                if (OperatorRegistry.Normalise(node.Domain).Length == 0 && Registry.TryGetValue(node.OpType, out var slots))
                {
                    var name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}#{i}" : node.Name;
                    foreach (var index in slots.Of(node, scope))
                    {
                        pending.Add((node, name, index, scope.Resolve(node.Input[index]) ?? Definition.Unknown, inSubgraph, position));
                    }
                }

                foreach (var attribute in node.Attribute)
                {
                    foreach (var sub in attribute.Graphs.Prepend(attribute.G).Where(s => s is not null))
                    {
                        Visit(sub, scope, inSubgraph: true);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The largest share of all prunable weight elements (a fraction) that the first or the last prunable tensor may
    /// hold and still be protected by <see cref="PruningOptions.ProtectFirstAndLast"/>: 0.2. The first layer (it sees
    /// raw features) and the classifier (every weight votes for a class) are sensitive and, in a CNN or an MLP, small:
    /// the sample DS-CNN's first conv is 11.6% of its prunable weights and its classifier 3.5%. A recurrent layer's W
    /// (over 30% of a one-layer GRU/LSTM/BiLSTM keyword spotter), an attention projection, or the only layer of a
    /// one-layer model is where the pruning budget lies, so it is pruned.
    /// </summary>
    public const double ProtectedShareLimit = 0.2;

    /// <summary>
    /// The model as the rule sees it and as <c>run</c> trains and exports it: constant sub-graphs folded into
    /// initializers (<see cref="ConstantFolding.Fold"/>, a copy). The one entry point for <c>inspect</c>, <c>validate</c> and <c>run</c>.
    /// </summary>
    public static ModelProto Prepare(ModelProto model) => ConstantFolding.Fold(model).Model;

    /// <summary>
    /// The prunable tensors in order of first use, with their status under <paramref name="options"/> (see
    /// <see cref="PruningOptions"/>): excluded by include/exclude first; then, with
    /// <see cref="PruningOptions.ProtectFirstAndLast"/>, the first and the last tensor are protected when each holds at
    /// most <see cref="ProtectedShareLimit"/> of all prunable elements; the rest are eligible.
    /// </summary>
    public static IReadOnlyList<PrunableTensor> Find(ModelProto model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byValue = Operands(model).GroupBy(o => o.Value, StringComparer.Ordinal).Where(g => g.Any(o => o.IsPrunable)).ToList();
        var firsts = byValue.Select(g => g.First(o => o.IsPrunable)).ToList();
        var provenance = ConstantFolding.Provenance(model);
        var elements = firsts.Select(f => f.Elements ?? 0).ToList();
        var total = Math.Max(1, elements.Sum());
        return byValue.Zip(firsts, (uses, first) =>
        {
            var sources = provenance.TryGetValue(first.Value, out var s) ? s : [];
            var included = options.Include is not { Count: > 0 } include || Glob.AnyMatch(include, [first.Value, first.Node, .. sources]);
            var excluded = options.Exclude is { Count: > 0 } exclude && Glob.AnyMatch(exclude, [first.Value, first.Node, .. sources]);
            var index = firsts.IndexOf(first);
            var share = (double)elements[index] / total;
            var end = index == 0 ? "first" : index == firsts.Count - 1 ? "last" : null;
            var (status, reason) = !included ? (PrunableStatus.Excluded, "not matched by pruning.include")
                : excluded ? (PrunableStatus.Excluded, "matched by pruning.exclude")
                : end is null || !options.ProtectFirstAndLast ? (PrunableStatus.Eligible, "")
                : share <= ProtectedShareLimit ? (PrunableStatus.Protected, Invariant($"the {end} prunable tensor, {share * 100:0.0}% of the prunable weights (protect_first_last protects it at most {ProtectedShareLimit * 100:0}%)"))
                : (PrunableStatus.Eligible, Invariant($"the {end} prunable tensor, but {share * 100:0.0}% of the prunable weights (over the {ProtectedShareLimit * 100:0}% protect_first_last protects), so pruned"));
            return new PrunableTensor(first.Value, first.Node, first.OpType, first.Shape!, status, uses.ToList()) { Sources = sources, StatusReason = reason };
        }).ToList();
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every read of a prunable weight, with its reading node, in graph order: what <see cref="Export.Int8WeightQuantizer"/> quantizes.</summary>
    public static IReadOnlyList<Export.WeightRead> Reads(ModelProto model)
    {
        var graph = model?.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var readers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            // WeightOperand.Node is the node's name, or OpType#index when it has none.
            readers.TryAdd(string.IsNullOrEmpty(graph.Node[i].Name) ? $"{graph.Node[i].OpType}#{i}" : graph.Node[i].Name, graph.Node[i]);
        }

        return [.. Operands(model).Where(o => o.IsPrunable && readers.ContainsKey(o.Node)).Select(o => new Export.WeightRead(o.Value, readers[o.Node], o.InputIndex))];
    }

    /// <summary>One weight operand per value none of whose uses is prunable (the first use), in order of first use.</summary>
    public static IReadOnlyList<WeightOperand> NotPrunable(ModelProto model) =>
        Operands(model).GroupBy(o => o.Value, StringComparer.Ordinal).Where(g => !g.Any(o => o.IsPrunable)).Select(g => g.First()).ToList();

    // Switches over the two enums name every member and have no '_' arm, so adding a member fails the build (CS8509)
    // at each place that must handle it.

    /// <summary>The reason as a phrase for reports and <c>inspect</c>.</summary>
    public static string Explain(PrunableReason reason) => reason switch
    {
        PrunableReason.Prunable => "prunable",
        PrunableReason.Computed => "computed at run time from the model's input (not a constant sub-graph)",
        PrunableReason.GraphInput => "a graph input, fed at run time",
        PrunableReason.ConstantNode => "a Constant node's value that constant folding leaves a node (a single element), so it is not trained",
        PrunableReason.NotFloat => "not a floating-point tensor",
        PrunableReason.SparseInitializer => "stored in sparse_initializer (training writes weights back into dense initializers only)",
        PrunableReason.InSubgraph => "read inside a sub-graph (If/Loop/Scan body), which channel analysis and weight write-back do not follow",
    };

    private static PrunableReason ReasonFor(Definition source, bool inSubgraph) => source.Source switch
    {
        OperandSource.Computed => PrunableReason.Computed,
        OperandSource.GraphInput => PrunableReason.GraphInput,
        OperandSource.ConstantNode => PrunableReason.ConstantNode,
        OperandSource.Initializer or OperandSource.SparseInitializer when !source.IsFloat => PrunableReason.NotFloat,
        OperandSource.SparseInitializer => PrunableReason.SparseInitializer,
        OperandSource.Initializer => inSubgraph ? PrunableReason.InSubgraph : PrunableReason.Prunable,
    };

    private static bool IsFloat(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16
        or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Double;

    /// <summary>Weight inputs of one operator: <paramref name="Always"/>, plus <paramref name="IfConstant"/> when the input is a constant.</summary>
    private sealed record WeightSlots(int[] Always, int[]? IfConstant = null)
    {
        public IEnumerable<int> Of(NodeProto node, Scope scope) => Always
            .Concat((IfConstant ?? []).Where(i => i < node.Input.Count && scope.Resolve(node.Input[i])?.Source is OperandSource.Initializer or OperandSource.SparseInitializer or OperandSource.ConstantNode))
            .Where(i => i < node.Input.Count && node.Input[i].Length > 0)
            .Order();
    }

    /// <summary>What a name stands for in a graph: where it comes from, its stored shape (null: known only at run time), whether it is floating point.</summary>
    private sealed class Definition(OperandSource source, IReadOnlyList<long>? shape, bool isFloat)
    {
        /// <summary>A name no enclosing graph defines (a broken model): treated as computed.</summary>
        public static Definition Unknown { get; } = new(OperandSource.Computed, null, false);

        public OperandSource Source { get; } = source;

        public IReadOnlyList<long>? Shape { get; } = shape;

        public bool IsFloat { get; } = isFloat;
    }

    /// <summary>The names one graph defines, falling back to the enclosing graph's.</summary>
    private sealed class Scope(Scope? outer)
    {
        private readonly Dictionary<string, Definition> _names = new(StringComparer.Ordinal);

        public static Scope Of(GraphProto graph, Scope? outer)
        {
            var scope = new Scope(outer);
            foreach (var input in graph.Input)
            {
                scope._names[input.Name] = new Definition(OperandSource.GraphInput, null, IsFloat(input.Type?.TensorType?.ElemType ?? 0));
            }

            // An initializer that is also a graph input (older exporters list every weight as an input) is a weight.
            foreach (var t in graph.Initializer)
            {
                scope._names[t.Name] = new Definition(OperandSource.Initializer, t.Dims.ToArray(), IsFloat(t.DataType));
            }

            foreach (var s in graph.SparseInitializer.Where(s => s.Values is not null))
            {
                scope._names[s.Values.Name] = new Definition(OperandSource.SparseInitializer, s.Dims.ToArray(), IsFloat(s.Values.DataType));
            }

            foreach (var node in graph.Node)
            {
                var constant = node.OpType == "Constant" && OperatorRegistry.Normalise(node.Domain).Length == 0;
                foreach (var output in node.Output.Where(o => o.Length > 0))
                {
                    scope._names[output] = constant ? ConstantValue(node) : new Definition(OperandSource.Computed, null, false);
                }
            }

            return scope;
        }

        public Definition? Resolve(string name) => _names.TryGetValue(name, out var d) ? d : outer?.Resolve(name);

        private static Definition ConstantValue(NodeProto node)
        {
            var value = node.Attribute.FirstOrDefault();
            return value?.Name switch
            {
                "value" when value.T is { } t => new Definition(OperandSource.ConstantNode, t.Dims.ToArray(), IsFloat(t.DataType)),
                "sparse_value" when value.SparseTensor is { } s => new Definition(OperandSource.ConstantNode, s.Dims.ToArray(), IsFloat(s.Values?.DataType ?? 0)),
                "value_float" => new Definition(OperandSource.ConstantNode, [], true),
                "value_floats" => new Definition(OperandSource.ConstantNode, [value.Floats.Count], true),
                _ => new Definition(OperandSource.ConstantNode, null, false),
            };
        }
    }
}
