using Compress.Diagnostics;
using Compress.Export;
using Compress.Features;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Spec;
using Compress.Spec.Checks;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Pipeline;

/// <summary>What the spec says about the model's inputs: which one takes the features, their layout, the other inputs' values and the export's batch.</summary>
/// <param name="DataInput">The features' input (<c>model.input</c>); null = the first input not in <paramref name="Extras"/>.</param>
/// <param name="LayoutAt">Where <c>features.layout</c> is (or would be) written, for CMP1040/CMP1041.</param>
/// <param name="InputsAt">Where <c>model:</c> is written, for CMP1042/CMP1043.</param>
public sealed record ModelInputOptions(string? DataInput, InputLayout? Layout, ISourceLocation LayoutAt, IReadOnlyDictionary<string, ExtraInputSpec> Extras, ISourceLocation InputsAt, ExportBatch Batch)
{
    /// <summary>No extra inputs, inferred layout, the batch kept.</summary>
    public static ModelInputOptions Default { get; } = new(null, null, new SpecLocation("", null, null), new Dictionary<string, ExtraInputSpec>(), new SpecLocation("", null, null), ExportBatch.Keep);
}

/// <summary>An extra input's value: its elements (as doubles, cast to the input's type) with batch 1 on <see cref="BatchAxis"/>.</summary>
internal sealed record ExtraInputValue(ValueInfoProto Declared, double[] Values, long[] Shape, int? BatchAxis);

/// <summary>
/// The copy of the model that trains and is measured, and the way back to the signature the user gave. The copy
/// (<see cref="Working"/>) takes one input, the features in the front end's layout, with a symbolic batch:
/// <list type="bullet">
/// <item>a batch fixed at 1 becomes symbolic on the feature input and on outputs; <c>Reshape</c> shape constants
/// with a leading 1 whose data comes from the inputs get 0 (copy the batch) instead — proven by
/// <see cref="BatchEquivalence"/> on real clips before training (CMP2130);</item>
/// <item>a layout other than the front end's gets a <c>Transpose</c> in front (never a Reshape that reorders time and
/// frequency), so executor, ONNX Runtime and a prepended front end agree;</item>
/// <item>every extra input (<c>model.inputs</c>) is computed in the graph from its value, its batch axis expanded to the
/// batch of the features.</item>
/// </list>
/// <see cref="Restore"/> turns a trained copy back into the user's signature (batch 1 unless <c>output.batch:
/// dynamic</c>, own layout, extra inputs as inputs); <see cref="BatchEquivalence.CheckShipped"/> proves the two agree.
/// </summary>
internal sealed class TrainingTwin
{
    private const string Prefix = "compress_inputs/";
    private const string BatchName = "batch";
    private readonly ModelProto _original;
    private readonly List<string> _rewrittenShapes = [];

    private TrainingTwin(ModelProto original, ModelProto working, ValueInfoProto dataInput, long[]? permutation, bool fixedBatch, IReadOnlyList<ExtraInputValue> extras, IReadOnlyList<string> batchNodes)
    {
        _original = original;
        Working = working;
        DataInput = dataInput;
        Permutation = permutation;
        FixedBatch = fixedBatch;
        Extras = extras;
        BatchNodes = batchNodes;
    }

    /// <summary>The copy that trains and is measured: one feature input, front-end layout, symbolic batch.</summary>
    public ModelProto Working { get; }

    /// <summary>The model's feature input as declared in the file.</summary>
    public ValueInfoProto DataInput { get; }

    /// <summary>The Transpose <c>perm</c> from the front end's layout to the model's, or null when they agree.</summary>
    public long[]? Permutation { get; }

    /// <summary>The file's feature input has its batch fixed at 1.</summary>
    public bool FixedBatch { get; }

    /// <summary>The extra inputs and their values.</summary>
    public IReadOnlyList<ExtraInputValue> Extras { get; }

    /// <summary>Nodes whose constants fix the batch (the Reshapes rewritten, and shape-taking nodes left alone), for CMP2130.</summary>
    public IReadOnlyList<string> BatchNodes { get; }

    /// <summary>True when <see cref="Working"/> differs from the file in its signature, so the export must be restored and checked.</summary>
    public bool ChangesSignature => FixedBatch || Permutation is not null || Extras.Count > 0;

    /// <summary>
    /// The twin of <paramref name="model"/>. Throws <see cref="CompressException"/> with CMP1040–CMP1043 when the inputs
    /// cannot be matched (the same checks <c>validate</c> runs first).
    /// </summary>
    public static TrainingTwin Build(ModelProto model, ModelInputOptions o, FrontEndOptions frontEnd, string file)
    {
        ArgumentNullException.ThrowIfNull(model);
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var problems = ExtraInputs.Problems(inputs, o.DataInput, o.Extras, o.InputsAt).ToList();
        var data = inputs.FirstOrDefault(i => i.Name == ExtraInputs.DataInputName(inputs, o.DataInput, o.Extras));
        if (data is null)
        {
            problems.Add(SpecMessages.ExtraInputInvalid(o.InputsAt, o.DataInput ?? "?", "no input is left for the features"));
        }

        var (layout, layoutProblem) = data is null ? (null, null) : InputLayout.Resolve(data, frontEnd, o.Layout, o.LayoutAt);
        if (layoutProblem is not null)
        {
            problems.Add(layoutProblem);
        }

        var extras = new List<ExtraInputValue>();
        foreach (var input in inputs.Where(i => o.Extras.ContainsKey(i.Name)))
        {
            var value = ExtraValue(input, o.Extras[input.Name], data, out var problem);
            if (value is null)
            {
                problems.Add(SpecMessages.ExtraInputInvalid(o.Extras[input.Name].Location, input.Name, problem!));
            }
            else
            {
                extras.Add(value);
            }
        }

        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }

        var dims = data!.Type?.TensorType?.Shape?.Dim;
        var fixedBatch = dims is { Count: > 1 } && dims[0].HasDimValue && dims[0].DimValue == 1;
        var working = model.Clone();
        var twin = new TrainingTwin(model, working, data, layout?.PermutationFromCanonical(), fixedBatch, extras, fixedBatch ? BatchFixers(working) : []);
        twin.Adapt();
        return twin;
    }

    /// <summary>
    /// The trained copy <paramref name="trained"/> with the file's signature back: the feature input as declared (in the
    /// front end's layout, Transpose kept, when <paramref name="keepLayout"/>: a prepended front end feeds it), extra
    /// inputs as inputs, and the batch fixed at 1 again unless <paramref name="batch"/> is dynamic. Intermediate
    /// value_info of a batch-1 file is not restored (it described batch-1 shapes; ONNX Runtime infers them).
    /// </summary>
    public ModelProto Restore(ModelProto trained, bool keepLayout, ExportBatch batch)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (!ChangesSignature)
        {
            return trained.Clone();
        }

        var copy = trained.Clone();
        var graph = copy.Graph;
        var keep = (NodeProto n) => !n.Name.StartsWith(Prefix, StringComparison.Ordinal) || (keepLayout && n.Name == Prefix + "Transpose");
        var nodes = graph.Node.Where(keep).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var used = nodes.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var t in graph.Initializer.Where(t => t.Name.StartsWith(Prefix, StringComparison.Ordinal) && !used.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(t);
        }

        var dynamic = batch == ExportBatch.Dynamic && FixedBatch;
        var restored = new List<ValueInfoProto>();
        foreach (var input in _original.Graph.Input)
        {
            if (input.Name == DataInput.Name)
            {
                var data = keepLayout && Permutation is not null ? graph.Input.First(i => i.Name == Prefix + "features").Clone() : DataInput.Clone();
                SetBatch(data, 0, FixedBatch && !dynamic ? null : BatchOf(DataInput));
                restored.Add(data);
            }
            else if (Extras.FirstOrDefault(e => e.Declared.Name == input.Name) is { } extra)
            {
                var value = input.Clone();
                if (dynamic && extra.BatchAxis is { } axis)
                {
                    SetBatch(value, axis, BatchName);
                }

                restored.Add(value);
            }
            else
            {
                // Initializer-backed inputs: as the trained copy has them (structured pruning may have changed their shape).
                restored.Add(graph.Input.First(i => i.Name == input.Name));
            }
        }

        graph.Input.Clear();
        graph.Input.AddRange(restored);
        if (FixedBatch && !dynamic)
        {
            foreach (var output in graph.Output)
            {
                var declared = _original.Graph.Output.FirstOrDefault(o => o.Name == output.Name);
                if (declared?.Type?.TensorType?.Shape?.Dim is { Count: > 0 } d && d[0].HasDimValue && d[0].DimValue == 1)
                {
                    SetBatch(output, 0, null);
                }
            }

            foreach (var name in _rewrittenShapes)
            {
                SetLeading(copy, name, 1);
            }
        }

        return copy;
    }

    /// <summary><paramref name="item"/> (one clip, batch 1, front-end layout <paramref name="shape"/>) in the file's layout, with its shape.</summary>
    public (float[] Values, long[] Shape) ToFileLayout(float[] item, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(shape);
        if (Permutation is null)
        {
            return (item, shape);
        }

        var outShape = Permutation.Select(p => shape[p]).ToArray();
        var inStrides = Strides(shape);
        var outStrides = Strides(outShape);
        var result = new float[item.Length];
        for (var i = 0; i < item.Length; i++)
        {
            long rest = i, source = 0;
            for (var a = 0; a < outShape.Length; a++)
            {
                var index = rest / outStrides[a];
                rest %= outStrides[a];
                source += index * inStrides[Permutation[a]];
            }

            result[i] = item[source];
        }

        return (result, outShape);
    }

    private static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var a = shape.Length - 1; a >= 0; a--)
        {
            strides[a] = stride;
            stride *= shape[a];
        }

        return strides;
    }

    private void Adapt()
    {
        var graph = Working.Graph;
        var front = new List<NodeProto>();
        var opset = Working.OpsetImport.Where(s => s.Domain.Length == 0 || s.Domain == "ai.onnx").Select(s => s.Version).DefaultIfEmpty(0).Max();
        var index = graph.Input.ToList().FindIndex(i => i.Name == DataInput.Name);
        var feature = DataInput.Clone();
        if (FixedBatch)
        {
            SetBatch(feature, 0, BatchName);
            foreach (var output in graph.Output)
            {
                if (output.Type?.TensorType?.Shape?.Dim is { Count: > 0 } d && d[0].HasDimValue && d[0].DimValue == 1)
                {
                    SetBatch(output, 0, BatchName);
                }
            }

            // Intermediate shapes were declared for batch 1.
            graph.ValueInfo.Clear();
            foreach (var name in BatchNodes.Where(n => n.StartsWith("rewritten:", StringComparison.Ordinal)))
            {
                _rewrittenShapes.Add(name["rewritten:".Length..]);
                SetLeading(Working, _rewrittenShapes[^1], 0);
            }
        }

        var featureName = DataInput.Name;
        if (Permutation is not null)
        {
            // The graph input takes the front end's layout; a Transpose gives the model its own: the model's axis j is
            // the front end's axis perm[j].
            var canonical = feature.Clone();
            canonical.Name = Prefix + "features";
            var dims = feature.Type.TensorType.Shape.Dim;
            var reordered = new TensorShapeProto.Types.Dimension[dims.Count];
            for (var j = 0; j < Permutation.Length; j++)
            {
                reordered[Permutation[j]] = dims[j].Clone();
            }

            canonical.Type.TensorType.Shape.Dim.Clear();
            canonical.Type.TensorType.Shape.Dim.AddRange(reordered);
            feature = canonical;
            featureName = canonical.Name;
            front.Add(Node("Transpose", Prefix + "Transpose", [canonical.Name], DataInput.Name, ModelBuilder.Attribute("perm", Permutation)));
        }

        graph.Input[index] = feature;
        if (Extras.Count > 0)
        {
            AddExtras(graph, front, featureName, opset);
        }

        var all = front.Concat(graph.Node).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(all);
    }

    private void AddExtras(GraphProto graph, List<NodeProto> front, string feature, long opset)
    {
        string? batch = null;
        foreach (var extra in Extras)
        {
            var name = extra.Declared.Name;
            graph.Input.Remove(graph.Input.First(i => i.Name == name));
            var value = Prefix + name + "/value";
            graph.Initializer.Add(TypedTensor(value, (DataType)extra.Declared.Type.TensorType.ElemType, extra.Values, extra.Shape));
            if (extra.BatchAxis is not { } axis)
            {
                front.Add(Node("Identity", Prefix + name + "/Identity", [value], name));
                continue;
            }

            if (batch is null)
            {
                if (opset < 10)
                {
                    throw new CompressException(SpecMessages.ExtraInputInvalid(new SpecLocation("", null, null), name, $"following the batch needs opset 10 or newer (Slice with inputs); the model imports opset {opset}"));
                }

                batch = Prefix + "batch";
                graph.Initializer.Add(ModelBuilder.Tensor(Prefix + "zero", [0L], 1));
                graph.Initializer.Add(ModelBuilder.Tensor(Prefix + "one", [1L], 1));
                front.Add(Node("Shape", Prefix + "Shape", [feature], Prefix + "feature_shape"));
                front.Add(Node("Slice", Prefix + "Slice", [Prefix + "feature_shape", Prefix + "zero", Prefix + "one"], batch));
            }

            var pieces = new List<string>();
            if (axis > 0)
            {
                graph.Initializer.Add(ModelBuilder.Tensor(Prefix + name + "/before", extra.Shape[..axis], axis));
                pieces.Add(Prefix + name + "/before");
            }

            pieces.Add(batch);
            if (axis < extra.Shape.Length - 1)
            {
                graph.Initializer.Add(ModelBuilder.Tensor(Prefix + name + "/after", extra.Shape[(axis + 1)..], extra.Shape.Length - axis - 1));
                pieces.Add(Prefix + name + "/after");
            }

            front.Add(Node("Concat", Prefix + name + "/Concat", [.. pieces], Prefix + name + "/shape", ModelBuilder.Attribute("axis", 0L)));
            front.Add(Node("Expand", Prefix + name + "/Expand", [value, Prefix + name + "/shape"], name));
        }
    }

    private static ExtraInputValue? ExtraValue(ValueInfoProto input, ExtraInputSpec spec, ValueInfoProto? data, out string? problem)
    {
        problem = null;
        var type = (DataType)(input.Type?.TensorType?.ElemType ?? 0);
        if (type is not (DataType.Float or DataType.Double or DataType.Int64 or DataType.Int32))
        {
            problem = $"the input has element type {type}; values can be given for float, double, int64 and int32 inputs";
            return null;
        }

        var dims = input.Type!.TensorType.Shape?.Dim.ToList() ?? [];
        var batchName = data?.Type?.TensorType?.Shape?.Dim is { Count: > 0 } dd && dd[0].HasDimParam ? dd[0].DimParam : null;
        var axis = spec.BatchAxis ?? (batchName is null ? -1 : dims.FindIndex(d => d.HasDimParam && d.DimParam == batchName));
        if (axis >= dims.Count)
        {
            problem = $"batch_axis {axis} is outside the input's {dims.Count} axes {InputLayout.Describe(input)}";
            return null;
        }

        var shape = dims.Select((d, i) => i == axis ? 1 : d.HasDimValue ? d.DimValue : -1).ToArray();
        double[] values;
        if (spec.Kind == ExtraInputKind.Npy)
        {
            var header = Data.NpyHeader.Read(spec.Path!);
            if (header.Descr != "<f4")
            {
                problem = $"{spec.Path} holds {header.Descr}; give a float32 (<f4) array";
                return null;
            }

            var withoutBatch = axis < 0 ? shape : shape.Where((_, i) => i != axis).ToArray();
            var fits = (long[] want) => want.Length == header.Shape.Count && want.Zip(header.Shape).All(p => p.First < 0 || p.First == p.Second);
            if (!fits(shape) && !fits(withoutBatch))
            {
                problem = $"{spec.Path} has shape ({string.Join(", ", header.Shape)}), but the input {InputLayout.Describe(input)} needs [{string.Join(", ", shape.Select(s => s < 0 ? "?" : s.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] (batch 1)";
                return null;
            }

            var bytes = File.ReadAllBytes(spec.Path!).AsSpan((int)header.DataOffset, (int)(header.ElementCount * 4));
            values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v).ToArray();
            var given = header.Shape.ToList();
            if (given.Count != shape.Length)
            {
                given.Insert(axis, 1);
            }

            shape = [.. given];
        }
        else
        {
            if (shape.Any(d => d < 0))
            {
                problem = $"the input {InputLayout.Describe(input)} has a symbolic axis besides the batch; give its value as a .npy file" + (axis < 0 && batchName is not null ? $" (or name its batch axis with batch_axis)" : "");
                return null;
            }

            values = Enumerable.Repeat(spec.Kind == ExtraInputKind.Number ? spec.Number : 0.0, (int)OnnxTensors.ElementCount(shape)).ToArray();
        }

        return new ExtraInputValue(input, values, shape, axis < 0 ? null : axis);
    }

    /// <summary>
    /// Marks (as "rewritten:&lt;constant&gt;") the Reshape shape constants with a leading 1 whose data depends on the
    /// inputs, and names the other nodes that take a constant shape with a leading 1 (Expand, Tile, ConstantOfShape).
    /// </summary>
    private static List<string> BatchFixers(ModelProto model)
    {
        var graph = model.Graph;
        var fromInputs = graph.Input.Select(i => i.Name).Except(graph.Initializer.Select(t => t.Name)).ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var node in graph.Node)
        {
            var dependsOnData = node.Input.Any(fromInputs.Contains);
            if (dependsOnData)
            {
                fromInputs.UnionWith(node.Output);
            }

            var shapeOperand = node.OpType switch
            {
                "Reshape" or "Expand" or "Tile" => node.Input.Count > 1 ? node.Input[1] : null,
                "ConstantOfShape" => node.Input.Count > 0 ? node.Input[0] : null,
                _ => null,
            };
            if (shapeOperand is null || ReadLongs(model, shapeOperand) is not { Length: > 0 } shape || shape[0] != 1)
            {
                continue;
            }

            var allowZero = node.Attribute.FirstOrDefault(a => a.Name == "allowzero")?.I == 1;
            var label = node.Name.Length > 0 ? node.Name : node.OpType + " → " + node.Output[0];
            result.Add(node.OpType == "Reshape" && dependsOnData && !allowZero ? "rewritten:" + shapeOperand : label);
            if (node.OpType == "Reshape" && result[^1].StartsWith("rewritten:", StringComparison.Ordinal))
            {
                result.Add(label);
            }
        }

        return result.Distinct().ToList();
    }

    private static long[]? ReadLongs(ModelProto model, string name)
    {
        var tensor = model.Graph.Initializer.FirstOrDefault(t => t.Name == name)
            ?? model.Graph.Node.FirstOrDefault(n => n.OpType == "Constant" && n.Output.Contains(name))?.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        if (tensor is null || tensor.DataType != (int)DataType.Int64)
        {
            return null;
        }

        return tensor.Int64Data.Count > 0 ? [.. tensor.Int64Data] : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray();
    }

    private static void SetLeading(ModelProto model, string name, long value)
    {
        var tensor = model.Graph.Initializer.FirstOrDefault(t => t.Name == name)
            ?? model.Graph.Node.First(n => n.OpType == "Constant" && n.Output.Contains(name)).Attribute.First(a => a.Name == "value").T;
        var values = ReadLongs(model, name)!;
        values[0] = value;
        tensor.ClearRawData();
        tensor.Int64Data.Clear();
        tensor.Int64Data.AddRange(values);
    }

    private static TensorProto TypedTensor(string name, DataType type, double[] values, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)type };
        t.Dims.AddRange(dims);
        switch (type)
        {
            case DataType.Float: t.FloatData.AddRange(values.Select(v => (float)v)); break;
            case DataType.Double: t.DoubleData.AddRange(values); break;
            case DataType.Int64: t.Int64Data.AddRange(values.Select(v => (long)v)); break;
            default: t.Int32Data.AddRange(values.Select(v => (int)v)); break;
        }

        return t;
    }

    private static string? BatchOf(ValueInfoProto value) =>
        value.Type?.TensorType?.Shape?.Dim is { Count: > 0 } d && d[0].HasDimParam ? d[0].DimParam : BatchName;

    /// <summary>Sets axis <paramref name="axis"/> of <paramref name="value"/> to <paramref name="param"/> (symbolic) or, when null, to 1.</summary>
    private static void SetBatch(ValueInfoProto value, int axis, string? param)
    {
        if (value.Type?.TensorType?.Shape?.Dim is { } dims && dims.Count > axis)
        {
            dims[axis] = param is null ? new TensorShapeProto.Types.Dimension { DimValue = 1 } : new TensorShapeProto.Types.Dimension { DimParam = param };
        }
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
