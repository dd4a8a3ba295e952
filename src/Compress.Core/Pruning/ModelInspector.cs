using System.Globalization;
using System.Text;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;

namespace Compress.Pruning;

/// <summary>
/// Describes an ONNX model for people (<c>dotnet compress inspect MODEL</c>): versions, inputs and outputs, operator
/// counts, parameters, the prunable weights with their current sparsity (by <see cref="PrunableWeights"/>, the rule
/// <c>run</c> prunes by, on the model as <see cref="PrunableWeights.Prepare"/> folds it, so folded tensors show the
/// initializers they come from), what <c>protect_first_last</c> protects and why, the weight operands that are not
/// prunable and why, and operators the executor cannot run. Folding evaluates constant nodes with TorchSharp.
/// </summary>
public static class ModelInspector
{
    /// <summary>
    /// A multi-line text report. <paramref name="file"/> is shown as the model's name (null: "(in memory)").
    /// Sparsity is the fraction of a weight's elements that are exactly zero. Sizes are in bytes as stored (KiB/MiB = 1024-based).
    /// </summary>
    public static string Describe(ModelProto model, string? file)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line($"Model: {file ?? "(in memory)"}");
        Line($"IR version: {model.IrVersion}");
        Line($"Opsets: {string.Join(", ", model.OpsetImport.Select(o => $"{OperatorRegistry.DisplayDomain(o.Domain)} {o.Version}"))}");
        var producer = string.Join(" ", new[] { model.ProducerName, model.ProducerVersion }.Where(s => !string.IsNullOrEmpty(s)));
        Line($"Producer: {(producer.Length == 0 ? "(not recorded)" : producer)}");
        var graph = model.Graph;
        if (graph is null)
        {
            Line("Graph: none");
            return text.ToString();
        }

        var initializerNames = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? "")).ToHashSet(StringComparer.Ordinal);
        Line();
        Line("Inputs:");
        Values(graph.Input.Where(i => !initializerNames.Contains(i.Name)), Line);
        Line("Outputs:");
        Values(graph.Output, Line);

        Line();
        var nodes = AllNodes(graph).ToList();
        Line($"Operators ({nodes.Count} nodes):");
        foreach (var group in nodes.GroupBy(n => OperatorRegistry.Normalise(n.Domain).Length == 0 ? n.OpType : $"{n.Domain}.{n.OpType}")
                     .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            Line($"  {group.Key,-24} {group.Count(),6}");
        }

        Line();
        Parameters(graph, Line);

        var folded = ConstantFolding.Fold(model);
        var prepared = folded.Model;
        var weights = PrunableWeights.Find(prepared, new PruningOptions());
        var tensors = AllGraphs(prepared.Graph!).SelectMany(g => g.Initializer).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var sparse = AllGraphs(prepared.Graph!).SelectMany(g => g.SparseInitializer).Where(s => s.Values is not null).GroupBy(s => s.Values.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Line();
        if (folded.FoldedNodes > 0)
        {
            Line($"Constant folding: {folded.FoldedNodes} nodes folded into initializers, {folded.RemovedInitializers.Count} initializers no longer read (run trains and exports the folded model)");
        }

        Line($"Prunable weights ({weights.Count}, {Count(weights.Sum(w => w.Elements))} elements):");
        if (weights.Count == 0)
        {
            Line("  none");
        }

        foreach (var w in weights)
        {
            var nodesText = string.Join(", ", w.Uses.Select(u => $"{u.OpType} {u.Node}"));
            var status = w.Status == PrunableStatus.Protected ? $"  protected: {w.StatusReason}" : w.StatusReason.Length > 0 ? $"  ({w.StatusReason})" : "";
            Line($"  {w.DisplayName}  {nodesText}  [{string.Join(", ", w.Shape)}]  {Count(w.Elements)} elements  sparsity {Sparsity(w.Name, w.Elements, tensors, sparse)}{status}");
        }

        var excluded = PrunableWeights.NotPrunable(prepared);
        Line($"Not prunable weight operands ({excluded.Count}):");
        if (excluded.Count == 0)
        {
            Line("  none");
        }

        var quantized = Dequantized(prepared.Graph!, tensors, sparse);
        foreach (var o in excluded)
        {
            if (quantized.TryGetValue(o.Value, out var q))
            {
                // An int8 weight behind a DequantizeLinear (quantize.weights: int8): the weight as stored, its sparsity and scheme.
                var elements = TensorStatistics.SafeCount(q.Dims);
                Line($"  {o.Value}  {o.OpType} {o.Node} input {o.InputIndex}  int8 [{string.Join(", ", q.Dims)}]  {Count(elements)} elements  sparsity {Sparsity(q.Name, elements, tensors, sparse)}  quantized: {q.Scheme}");
                continue;
            }

            var stored = o.Shape is null ? "" : $"  [{string.Join(", ", o.Shape)}]  {Count(o.Elements ?? 0)} elements  sparsity {Sparsity(o.Value, o.Elements ?? 0, tensors, sparse)}";
            Line($"  {o.Value}  {o.OpType} {o.Node} input {o.InputIndex}{stored}  not prunable: {PrunableWeights.Explain(o.Reason)}");
        }

        Activations(graph, tensors, Line);
        var convs = prepared.Graph!.Node.Count(n => n.OpType == "Conv");
        var unnormalised = BatchNormInsertion.Candidates(prepared).Count;
        if (unnormalised > 0)
        {
            Line();
            Line($"Normalisation: {unnormalised} of {convs} Convs have no BatchNormalization after them (an export that folded BatchNorm into the Conv?); to prune such a model hard, export with TrainingMode.PRESERVE or set finetune.insert_batchnorm: true (docs/pruning.md, \"BatchNorm-folded exports\")");
        }

        Line();
        var unsupported = OnnxGraphModule.FindUnsupportedNodes(model);
        if (unsupported.Count == 0)
        {
            Line("Unsupported operators: none");
        }
        else
        {
            Line($"Unsupported operators ({unsupported.Count}):");
            foreach (var node in unsupported)
            {
                Line($"  error {ModelMessages.UnsupportedOperatorCode}: [{node.Node}] {ModelMessages.UnsupportedOperatorText(node.Domain, node.OpType, node.Opset)}");
            }

            Line($"  {ModelMessages.SupportedOperatorsText(OperatorRegistry.Default.SupportedNames)}.");
            Line($"  {ModelMessages.HowToAddOperator}");
        }

        return text.ToString();
    }

    /// <summary>
    /// The activations that pass through a QuantizeLinear (quantize.activations: int8): each one's value, element type,
    /// scale, zero point and the float range its 256 steps cover. Printed only when there is at least one.
    /// </summary>
    private static void Activations(GraphProto graph, Dictionary<string, TensorProto> tensors, Action<string> line)
    {
        var quantizers = graph.Node.Where(n => n.OpType == "QuantizeLinear" && OperatorRegistry.Normalise(n.Domain).Length == 0 && n.Input.Count >= 2 && !tensors.ContainsKey(n.Input[0])).ToList();
        if (quantizers.Count == 0)
        {
            return;
        }

        line("");
        line($"Quantized activations ({quantizers.Count}, QuantizeLinear -> DequantizeLinear):");
        foreach (var node in quantizers)
        {
            var scale = tensors.TryGetValue(node.Input[1], out var s) ? AsFloats(s) : [];
            var zero = node.Input.Count > 2 && tensors.TryGetValue(node.Input[2], out var z) ? z : null;
            var type = zero is null ? "uint8" : ((TensorProto.Types.DataType)zero.DataType).ToString().ToLowerInvariant();
            var zeroPoint = zero is null ? 0 : (long)AsFloats(zero).FirstOrDefault();
            var (low, high) = type == "int8" ? (-128L, 127L) : (0L, 255L);
            line(scale.Length == 1
                ? string.Create(CultureInfo.InvariantCulture, $"  {node.Input[0]}  {type}  scale {scale[0]:G6}  zero point {zeroPoint}  range [{(low - zeroPoint) * scale[0]:G6}, {(high - zeroPoint) * scale[0]:G6}]")
                : $"  {node.Input[0]}  {type}  {scale.Length} scales");
        }
    }

    private static float[] AsFloats(TensorProto tensor)
    {
        using var values = OnnxTensors.ToTorch(tensor).to_type(TorchSharp.torch.ScalarType.Float32);
        return values.data<float>().ToArray();
    }

    /// <summary>
    /// The int8/uint8 initializers that a DequantizeLinear of the main graph turns into float weights — a model that is
    /// quantized already — as (initializer, the DequantizeLinear's output), in graph order.
    /// </summary>
    public static IReadOnlyList<(string Weight, string Value)> QuantizedWeights(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? new GraphProto();
        var tensors = graph.Initializer.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var sparse = graph.SparseInitializer.Where(s => s.Values is not null).GroupBy(s => s.Values.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return [.. Dequantized(graph, tensors, sparse).Select(p => (p.Value.Name, p.Key))];
    }

    /// <summary>Each main-graph DequantizeLinear output whose input is an int8/uint8 initializer: that initializer's name, shape and the scheme as a phrase.</summary>
    private static Dictionary<string, (string Name, IReadOnlyList<long> Dims, string Scheme)> Dequantized(
        GraphProto graph, Dictionary<string, TensorProto> tensors, Dictionary<string, SparseTensorProto> sparse)
    {
        var result = new Dictionary<string, (string, IReadOnlyList<long>, string)>(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => n.OpType == "DequantizeLinear" && OperatorRegistry.Normalise(n.Domain).Length == 0 && n.Input.Count >= 2 && n.Output.Count == 1))
        {
            var (type, dims) = tensors.TryGetValue(node.Input[0], out var t) ? (t.DataType, (IReadOnlyList<long>)[.. t.Dims])
                : sparse.TryGetValue(node.Input[0], out var s) ? (s.Values.DataType, [.. s.Dims])
                : (0, []);
            if ((TensorProto.Types.DataType)type is not (TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8))
            {
                continue;
            }

            var scales = tensors.TryGetValue(node.Input[1], out var scale) ? TensorStatistics.SafeCount(scale.Dims) : 0;
            var axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1;
            var scheme = scales > 1
                ? string.Create(CultureInfo.InvariantCulture, $"DequantizeLinear per channel (axis {axis}, {scales} scales) from '{node.Input[0]}'")
                : $"DequantizeLinear per tensor from '{node.Input[0]}'";
            result[node.Output[0]] = (node.Input[0], dims, scheme);
        }

        return result;
    }

    private static void Values(IEnumerable<ValueInfoProto> values, Action<string> line)
    {
        var any = false;
        foreach (var value in values)
        {
            any = true;
            line($"  {value.Name}  {TypeText(value.Type)}");
        }

        if (!any)
        {
            line("  none");
        }
    }

    private static string TypeText(TypeProto? type)
    {
        if (type?.TensorType is not { } tensor)
        {
            return type is null ? "(no type)" : type.ValueCase.ToString().ToLowerInvariant();
        }

        var element = Enum.IsDefined(typeof(TensorProto.Types.DataType), tensor.ElemType)
            ? ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant()
            : $"type {tensor.ElemType}";
        if (tensor.Shape is null)
        {
            return $"{element} (shape unknown)";
        }

        var dims = tensor.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        });
        return $"{element} [{string.Join(", ", dims)}]";
    }

    private static void Parameters(GraphProto graph, Action<string> line)
    {
        long floatElements = 0, floatBytes = 0, otherElements = 0, otherBytes = 0;
        int floatCount = 0, otherCount = 0;
        foreach (var t in graph.Initializer)
        {
            var elements = TensorStatistics.SafeCount(t.Dims);
            var bytes = TensorStatistics.StoredBytes(t);
            if (IsFloat(t))
            {
                (floatElements, floatBytes, floatCount) = (floatElements + elements, floatBytes + bytes, floatCount + 1);
            }
            else
            {
                (otherElements, otherBytes, otherCount) = (otherElements + elements, otherBytes + bytes, otherCount + 1);
            }
        }

        foreach (var s in graph.SparseInitializer)
        {
            var elements = TensorStatistics.SafeCount(s.Dims);
            var bytes = (s.Values is null ? 0 : TensorStatistics.StoredBytes(s.Values)) + (s.Indices is null ? 0 : TensorStatistics.StoredBytes(s.Indices));
            if (s.Values is null || IsFloat(s.Values))
            {
                (floatElements, floatBytes, floatCount) = (floatElements + elements, floatBytes + bytes, floatCount + 1);
            }
            else
            {
                (otherElements, otherBytes, otherCount) = (otherElements + elements, otherBytes + bytes, otherCount + 1);
            }
        }

        line($"Parameters: {Count(floatElements)} in {floatCount} float initializers ({Size(floatBytes)})");
        line($"Other initializers: {Count(otherElements)} elements in {otherCount} ({Size(otherBytes)})");
    }

    private static bool IsFloat(TensorProto t) => (TensorProto.Types.DataType)t.DataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double
        or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16;

    private static string Sparsity(string name, long count, Dictionary<string, TensorProto> tensors, Dictionary<string, SparseTensorProto> sparse)
    {
        if (count == 0)
        {
            return "n/a";
        }

        long? zeros = null;
        if (tensors.TryGetValue(name, out var dense))
        {
            zeros = TensorStatistics.CountZeros(dense);
        }
        else if (sparse.TryGetValue(name, out var s))
        {
            var storedZeros = TensorStatistics.CountZeros(s.Values);
            var stored = TensorStatistics.SafeCount(s.Values.Dims);
            zeros = storedZeros is null ? null : count - stored + storedZeros;
        }

        return zeros is { } z ? ((double)z / count).ToString("0.000", CultureInfo.InvariantCulture) : "unknown";
    }

    private static IEnumerable<GraphProto> AllGraphs(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Attribute.SelectMany(a => a.Graphs.Prepend(a.G))).Where(g => g is not null).SelectMany(AllGraphs).Prepend(graph);

    private static IEnumerable<NodeProto> AllNodes(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Attribute.SelectMany(a => a.Graphs.Prepend(a.G)).Where(g => g is not null).SelectMany(AllNodes).Prepend(n));

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };
}
