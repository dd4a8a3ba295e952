using Compress.Diagnostics;
using Compress.Onnx.Proto;

namespace Compress.Graph;

/// <summary>What produces the class scores a model ships.</summary>
public enum HeadKind
{
    /// <summary>Unnormalised scores [N, classes] (anything that is not one of the heads below).</summary>
    [SpecName("logits")] Logits,

    /// <summary>A Softmax over the class axis: probabilities [N, classes].</summary>
    [SpecName("softmax")] Softmax,

    /// <summary>A LogSoftmax over the class axis: log-probabilities [N, classes].</summary>
    [SpecName("log_softmax")] LogSoftmax,

    /// <summary>A Sigmoid of one score per clip ([N, 1] or [N]): the probability of the positive class (binary wake word).</summary>
    [SpecName("sigmoid")] Sigmoid,
}

/// <summary>
/// The output a model is trained and measured on, and what produces it. <see cref="Output"/> is the graph output
/// measured as shipped (ONNX Runtime fetches only it); <see cref="TrainingValue"/> is the value the loss sees: the
/// head node's input (the pre-activation scores) for Softmax, LogSoftmax and Sigmoid heads, the output itself for
/// logits. Exporters often put <c>Identity</c>, <c>Reshape</c>, <c>Flatten</c> or <c>Squeeze</c> after the
/// activation; detection looks through them. Other outputs of the model are neither trained against nor measured,
/// and are exported unchanged (apart from the weights they share).
/// </summary>
/// <param name="Node">The Softmax/LogSoftmax/Sigmoid node, or null for logits.</param>
/// <param name="Classes">The class count the output declares (its last dimension; 1 for a sigmoid score), or null when symbolic.</param>
public sealed record OutputHead(string Output, HeadKind Kind, string TrainingValue, string? Node, long? Classes)
{
    /// <summary>The label of the negative class a one-label sigmoid head adds before the positive label.</summary>
    public const string NegativeLabel = "_negative_";

    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal) { "Identity", "Reshape", "Flatten", "Squeeze" };

    /// <summary>
    /// Set for a CTC recogniser (<c>task: ctc</c>): the output is per-frame scores over tokens, trained with the CTC
    /// loss and measured by greedy decoding; its classes are transcripts (<see cref="CtcHead.Targets"/>). Null for classifiers.
    /// </summary>
    public CtcHead? Ctc { get; init; }

    /// <summary>True for a single sigmoid score (binary: class 0 negative, class 1 positive).</summary>
    public bool IsBinary => Kind == HeadKind.Sigmoid;

    /// <summary>The name of the training loss used for this head (as the report shows it).</summary>
    public string LossName => Ctc is not null ? "ctc" : Kind switch
    {
        HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => "cross_entropy",
        HeadKind.Sigmoid => "binary_cross_entropy",
    };

    /// <summary>
    /// The class list data and metrics use for <paramref name="labels"/>: the labels themselves, except that a
    /// sigmoid head with one label gets <see cref="NegativeLabel"/> in front (index 0 = negative, 1 = the label).
    /// </summary>
    public IReadOnlyList<string> ClassesFor(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return IsBinary && labels.Count == 1 ? [NegativeLabel, labels[0]] : labels;
    }

    /// <summary>
    /// Whether <paramref name="labels"/> fit this head: one or two labels for a sigmoid score, one per class for
    /// the others (when the output declares its class count). Null when they fit, else CMP1032 at <paramref name="at"/>.
    /// </summary>
    public Diagnostic? CheckLabels(IReadOnlyList<string> labels, ISourceLocation? at)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (IsBinary)
        {
            return labels.Count is 1 or 2 ? null : HeadMessages.SigmoidLabels(at, Output, labels.Count);
        }

        return Classes is long classes && classes != labels.Count
            ? HeadMessages.ClassCount(at, Output, Describe(Kind), classes, labels.Count)
            : null;
    }

    /// <summary>
    /// Every value (node outputs, inputs, initializers) that <see cref="TrainingValue"/> is computed from, itself
    /// included. Weights outside it only serve other outputs: training never changes them, so pruning leaves them too.
    /// </summary>
    public IReadOnlySet<string> Sources(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            foreach (var name in node.Output.Where(n => n.Length > 0))
            {
                producers[name] = node;
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([TrainingValue]);
        while (pending.TryPop(out var value))
        {
            if (seen.Add(value) && producers.TryGetValue(value, out var node))
            {
                // Sub-graphs (If branches) may read outer values by name: count every name they mention.
                var inner = node.Attribute.SelectMany(a => a.G is null ? a.Graphs : a.Graphs.Append(a.G)).SelectMany(g => g.Node).SelectMany(n => n.Input);
                foreach (var input in node.Input.Concat(inner).Where(i => i.Length > 0))
                {
                    pending.Push(input);
                }
            }
        }

        return seen;
    }

    /// <summary>"logits", "softmax probabilities", ... for messages and the report.</summary>
    public string Description => Describe(Kind) + (Node is null ? "" : $" (node '{Node}')");

    /// <summary>
    /// Chooses the output (<paramref name="output"/>, else the only output, else the only float output shaped like
    /// class scores: rank 1 or 2) and detects its head. Errors: CMP1031 (no such output), CMP1030 (ambiguous),
    /// CMP1034 (multi-label sigmoid); warning CMP1033 (a softmax not over the class axis, trained as logits).
    /// Diagnostics point at <paramref name="at"/> (the spec's <c>model</c> key), when given.
    /// </summary>
    public static Result<OutputHead> Detect(ModelProto model, string? output = null, ISourceLocation? at = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? new GraphProto();
        var outputs = graph.Output.ToList();
        var described = outputs.Select(Describe).ToList();
        ValueInfoProto? chosen;
        if (output is not null)
        {
            chosen = outputs.FirstOrDefault(o => o.Name == output);
            if (chosen is null)
            {
                return Result<OutputHead>.Fail([HeadMessages.OutputNotFound(at, output, described)]);
            }
        }
        else if (outputs.Count == 1)
        {
            chosen = outputs[0];
        }
        else
        {
            var scores = outputs.Where(LooksLikeScores).ToList();
            if (scores.Count != 1)
            {
                return Result<OutputHead>.Fail([HeadMessages.OutputAmbiguous(at, described)]);
            }

            chosen = scores[0];
        }

        return Of(model, chosen, at);
    }

    /// <summary>The head of the first output (what a module built without a head uses); never fails.</summary>
    public static OutputHead First(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var detected = Detect(model, model.Graph?.Output.FirstOrDefault()?.Name);
        return detected.Value ?? new OutputHead(model.Graph?.Output.FirstOrDefault()?.Name ?? "", HeadKind.Logits, model.Graph?.Output.FirstOrDefault()?.Name ?? "", null, null);
    }

    private static Result<OutputHead> Of(ModelProto model, ValueInfoProto output, ISourceLocation? at)
    {
        var graph = model.Graph;
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var name in node.Output.Where(n => n.Length > 0))
            {
                producers[name] = node;
            }
        }

        var dims = Dims(output);
        var classes = dims is { Count: > 0 } ? dims[^1] : null;
        var logits = new OutputHead(output.Name, HeadKind.Logits, output.Name, null, classes);
        var value = output.Name;
        NodeProto? head = null;
        while (producers.TryGetValue(value, out var node))
        {
            if (node.OpType is "Softmax" or "LogSoftmax" or "Sigmoid" && IsDefaultDomain(node))
            {
                head = node;
                break;
            }

            if (!PassThrough.Contains(node.OpType) || !IsDefaultDomain(node) || node.Input.Count == 0)
            {
                break;
            }

            value = node.Input[0];
        }

        if (head is null)
        {
            return Result<OutputHead>.Ok(logits);
        }

        var nodeName = string.IsNullOrEmpty(head.Name) ? head.Output[0] : head.Name;
        var input = head.Input[0];
        if (head.OpType == "Sigmoid")
        {
            var single = dims is null || dims.Count == 1 || dims[^1] is 1 or null;
            return single
                ? Result<OutputHead>.Ok(new OutputHead(output.Name, HeadKind.Sigmoid, input, nodeName, 1))
                : Result<OutputHead>.Fail([HeadMessages.MultiLabelSigmoid(at, output.Name, nodeName, dims![^1]!.Value)]);
        }

        var opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        var axisAttribute = head.Attribute.FirstOrDefault(a => a.Name == "axis");
        var axis = axisAttribute?.I ?? (opset >= 13 ? -1 : 1);
        var inputDims = ShapeOf(graph, input) ?? (value == output.Name ? dims : null);
        if (!OverClassAxis(axis, inputDims))
        {
            return Result<OutputHead>.Ok(logits, [HeadMessages.HeadAxis(at, nodeName, head.OpType, axis)]);
        }

        var kind = head.OpType == "Softmax" ? HeadKind.Softmax : HeadKind.LogSoftmax;
        return Result<OutputHead>.Ok(new OutputHead(output.Name, kind, input, nodeName, classes));
    }

    /// <summary>
    /// The softmax normalises over the class axis: the last axis, or one after which every dimension is 1. Before
    /// opset 13 the input is coerced to 2-D at <paramref name="axis"/>, which is the same thing under that rule.
    /// With an unknown rank, axis −1 or 1 (the [N, classes] case) is accepted.
    /// </summary>
    private static bool OverClassAxis(long axis, IReadOnlyList<long?>? dims)
    {
        if (dims is null)
        {
            return axis is -1 or 1;
        }

        var a = axis < 0 ? axis + dims.Count : axis;
        return a >= 0 && a < dims.Count && dims.Skip((int)a + 1).All(d => d == 1);
    }

    private static bool IsDefaultDomain(NodeProto node) => string.IsNullOrEmpty(node.Domain) || node.Domain == "ai.onnx";

    private static bool LooksLikeScores(ValueInfoProto value) =>
        value.Type?.TensorType is { } t && t.ElemType == (int)TensorProto.Types.DataType.Float && Dims(value)?.Count is null or 1 or 2;

    private static IReadOnlyList<long?>? ShapeOf(GraphProto graph, string name)
    {
        var info = graph.ValueInfo.Concat(graph.Output).Concat(graph.Input).FirstOrDefault(v => v.Name == name);
        return info is null ? null : Dims(info);
    }

    private static List<long?>? Dims(ValueInfoProto value) =>
        value.Type?.TensorType?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToList();

    private static string Describe(ValueInfoProto value) =>
        Dims(value) is { } dims ? $"{value.Name} [{string.Join(",", dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N"))}]" : value.Name;

    private static string Describe(HeadKind kind) => kind switch
    {
        HeadKind.Logits => "logits",
        HeadKind.Softmax => "softmax probabilities",
        HeadKind.LogSoftmax => "log-softmax log-probabilities",
        HeadKind.Sigmoid => "a sigmoid score",
    };
}
