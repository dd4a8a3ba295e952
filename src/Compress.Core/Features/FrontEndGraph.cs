using System.Globalization;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Features;

/// <summary>
/// The front-end as ONNX nodes, so the executor computes features for training and an app can feed raw PCM to
/// ONNX Runtime: Unsqueeze → Conv1d with the windowed DFT basis (stride = hop) → x·x → Transpose → MatMul with
/// the mel filterbank stacked twice (adds real² and imaginary²) → Max(x, floor) → Log [→ MatMul DCT] → Unsqueeze.
/// All matrices are <c>Constant</c> nodes, so the executor folds them and never trains them.
/// </summary>
public static class FrontEndGraph
{
    /// <summary>Metadata key that <see cref="Prepend"/> writes, describing the front-end it added.</summary>
    public const string MetadataKey = "compress.front_end";

    /// <summary>
    /// A model with input <paramref name="inputName"/> float [N, Samples] and output <paramref name="outputName"/>
    /// float [N, 1, Frames, Bins] (or [N, 1, Samples] for <see cref="FrontEndKind.None"/>); node and constant names
    /// start with <c>frontend/</c>. Throws <see cref="CompressException"/> (CMP3201) for invalid options.
    /// </summary>
    public static ModelProto Build(FrontEndOptions o, string inputName = "pcm", string outputName = "features", long opset = 17)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.EnsureValid();
        if (opset < 9)
        {
            throw new CompressException(DataMessages.InvalidFrontEnd($"opset {opset} is too old; the front-end needs opset 9 or newer"));
        }

        var graph = new GraphProto { Name = "front_end" };
        graph.Input.Add(ModelBuilder.ValueInfo(inputName, DataType.Float, "N", (long)o.Samples));
        graph.Output.Add(ModelBuilder.ValueInfo(outputName, DataType.Float, [(object)"N", .. o.OutputShape.Cast<object>()]));
        AddNodes(graph, o, inputName, outputName, "frontend/", opset);
        var model = new ModelProto { IrVersion = 8, ProducerName = "Compress.FrontEndGraph", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose single input is PCM float [N, Samples] named
    /// <paramref name="pcmInputName"/>, computing the features the model's single (non-initializer) input took.
    /// The model's input must have the front-end's item shape after the batch dimension, or the same number of
    /// fixed elements (a Reshape is then added). Front-end names get a prefix no model name uses; opsets, metadata,
    /// value_info and the model's own names are kept, and <see cref="MetadataKey"/> is added.
    /// Throws <see cref="CompressException"/> (CMP3201/CMP3202) when it does not fit.
    /// </summary>
    public static ModelProto Prepend(ModelProto model, FrontEndOptions o, string pcmInputName = "pcm")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(o);
        o.EnsureValid();
        if (model.Graph is null)
        {
            throw new CompressException(DataMessages.PrependMismatch("the model has no graph"));
        }

        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new CompressException(DataMessages.PrependMismatch($"the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); it needs exactly one feature input"));
        }

        var feature = inputs[0];
        var names = AllNames(model.Graph);
        if (names.Contains(pcmInputName))
        {
            throw new CompressException(DataMessages.PrependMismatch($"the PCM input name '{pcmInputName}' is already used in the model"));
        }

        var opset = model.OpsetImport.Where(s => s.Domain.Length == 0 || s.Domain == "ai.onnx").Select(s => s.Version).DefaultIfEmpty(0).Max();
        if (opset < 9)
        {
            throw new CompressException(DataMessages.PrependMismatch($"the model imports the default ONNX domain at opset {opset}; the front-end needs 9 or newer"));
        }

        var (batch, reshapeTo) = MatchShape(feature, o);
        var prefix = UniquePrefix(names);
        var copy = model.Clone();
        var front = new GraphProto();
        var features = reshapeTo is null ? feature.Name : prefix + "features";
        AddNodes(front, o, pcmInputName, features, prefix, opset);
        if (reshapeTo is not null)
        {
            var shape = Constant(front, prefix + "reshape_shape", ModelBuilder.Tensor(prefix + "reshape_shape", [-1L, .. reshapeTo], reshapeTo.Length + 1));
            AddNode(front, "Reshape", prefix + "Reshape", [features, shape], feature.Name);
        }

        var index = copy.Graph.Input.ToList().FindIndex(i => i.Name == feature.Name);
        copy.Graph.Input[index] = ModelBuilder.ValueInfo(pcmInputName, DataType.Float, batch, (long)o.Samples);
        var nodes = front.Node.Concat(copy.Graph.Node).ToList();
        copy.Graph.Node.Clear();
        copy.Graph.Node.AddRange(nodes);
        copy.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = Describe(o) });
        return copy;
    }

    /// <summary>A compact, stable description of the options (stored in <see cref="MetadataKey"/>, part of cache keys).</summary>
    public static string Describe(FrontEndOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return string.Create(CultureInfo.InvariantCulture,
            $"kind={o.Kind.ToString().ToLowerInvariant()};sample_rate={o.SampleRate};samples={o.Samples};window={o.WindowSamples};hop={o.HopSamples};n_fft={o.NFft};mel_bins={o.MelBins};fmin={o.FMin:R};fmax={o.UpperHz:R};log_floor={o.LogFloor:R};coefficients={o.Coefficients}");
    }

    private static void AddNodes(GraphProto g, FrontEndOptions o, string input, string output, string prefix, long opset)
    {
        if (o.Kind == FrontEndKind.None)
        {
            Unsqueeze(g, prefix + "Unsqueeze_out", input, output, opset);
            return;
        }

        int k = o.FrequencyBins, m = o.MelBins;
        var framed = Unsqueeze(g, prefix + "Unsqueeze_in", input, prefix + "pcm_channel", opset);
        var basis = DftBasis(g, o, prefix, opset);
        var spectrum = AddNode(g, "Conv", prefix + "Stft", [framed, basis], prefix + "spectrum",
            ("kernel_shape", new long[] { o.WindowSamples }), ("strides", new long[] { o.HopSamples }));
        var power = AddNode(g, "Mul", prefix + "Power", [spectrum, spectrum], prefix + "power");
        var frames = AddNode(g, "Transpose", prefix + "Transpose", [power], prefix + "power_frames", ("perm", new long[] { 0, 2, 1 }));
        var mel = FrontEndMatrices.MelFilterbank(o);
        var stacked = new float[2 * k * m];
        mel.CopyTo(stacked, 0);
        mel.CopyTo(stacked, k * m);
        var bank = Constant(g, prefix + "mel_filterbank", ModelBuilder.Tensor(prefix + "mel_filterbank", stacked, 2 * k, m));
        var energies = AddNode(g, "MatMul", prefix + "Mel", [frames, bank], prefix + "mel");
        var floor = Constant(g, prefix + "log_floor", ModelBuilder.Tensor(prefix + "log_floor", [(float)o.LogFloor]));
        var floored = AddNode(g, "Max", prefix + "Floor", [energies, floor], prefix + "mel_floored");
        var features = AddNode(g, "Log", prefix + "Log", [floored], prefix + "log_mel");
        if (o.Kind == FrontEndKind.Mfcc)
        {
            var dct = Constant(g, prefix + "dct", ModelBuilder.Tensor(prefix + "dct", FrontEndMatrices.Dct(m, o.Coefficients), m, o.Coefficients));
            features = AddNode(g, "MatMul", prefix + "Dct", [features, dct], prefix + "mfcc");
        }

        Unsqueeze(g, prefix + "Unsqueeze_out", features, output, opset);
    }

    /// <summary>
    /// The Conv1d weights [2K, 1, window] of <see cref="FrontEndMatrices.DftBasis"/>, built by nodes from three small
    /// tables (cos and −sin of 2πr/n_fft for r in [0, n_fft), and the Hann window) instead of stored: a 30 ms window at
    /// n_fft 512 would otherwise add ~1 MB to every exported model. The phase index k·n mod n_fft is computed exactly
    /// (float32 integers below 2^24) and gathers from the tables, so every runtime builds bit-identical weights and
    /// folds them once.
    /// </summary>
    private static string DftBasis(GraphProto g, FrontEndOptions o, string prefix, long opset)
    {
        string Table(string name, float[] values) => Constant(g, prefix + name, ModelBuilder.Tensor(prefix + name, values, values.Length));
        string Scalar(string name, float value) => Constant(g, prefix + name, ModelBuilder.Tensor(prefix + name, [value]));
        string Op(string op, string name, params string[] inputs) => AddNode(g, op, prefix + name, inputs, prefix + name + "_out");
        string Range(string name, int count) =>
            AddNode(g, "Range", prefix + name, [Scalar(name + "_start", 0), Scalar(name + "_limit", count), Scalar(name + "_delta", 1)], prefix + name);

        var cosines = new float[o.NFft];
        var negativeSines = new float[o.NFft];
        for (var r = 0; r < o.NFft; r++)
        {
            cosines[r] = (float)Math.Cos(2 * Math.PI * r / o.NFft);
            negativeSines[r] = (float)-Math.Sin(2 * Math.PI * r / o.NFft);
        }

        var n = Range("dft_n", o.WindowSamples);
        var k = Range("dft_k", o.FrequencyBins);
        var kn = Op("Mul", "dft_kn", Unsqueeze(g, prefix + "dft_k_col", k, prefix + "dft_k_col", opset, 1), Unsqueeze(g, prefix + "dft_n_row", n, prefix + "dft_n_row", opset, 0));
        var nfft = Scalar("dft_nfft", o.NFft);
        var wraps = Op("Floor", "dft_wraps", Op("Div", "dft_turns", kn, nfft));
        var phase = Op("Sub", "dft_phase", kn, Op("Mul", "dft_whole", wraps, nfft));
        var index = AddNode(g, "Cast", prefix + "dft_index", [phase], prefix + "dft_index_out", ("to", (long)DataType.Int64));
        var window = Table("hann", [.. FrontEndMatrices.HannWindow(o.WindowSamples).Select(v => (float)v)]);
        var real = Op("Mul", "dft_real", AddNode(g, "Gather", prefix + "dft_cos", [Table("cos_table", cosines), index], prefix + "dft_cos_out"), window);
        var imaginary = Op("Mul", "dft_imaginary", AddNode(g, "Gather", prefix + "dft_sin", [Table("neg_sin_table", negativeSines), index], prefix + "dft_sin_out"), window);
        var stacked = AddNode(g, "Concat", prefix + "dft_stack", [real, imaginary], prefix + "dft_stack_out", ("axis", 0L));
        return Unsqueeze(g, prefix + "dft_basis", stacked, prefix + "dft_basis", opset, 1);
    }

    private static string Unsqueeze(GraphProto g, string name, string input, string output, long opset, long axis)
    {
        if (opset >= 13)
        {
            var axes = Constant(g, name + "_axes", ModelBuilder.Tensor(name + "_axes", [axis], 1));
            return AddNode(g, "Unsqueeze", name, [input, axes], output);
        }

        return AddNode(g, "Unsqueeze", name, [input], output, ("axes", new long[] { axis }));
    }

    private static string Unsqueeze(GraphProto g, string name, string input, string output, long opset) => Unsqueeze(g, name, input, output, opset, 1);

    private static string Constant(GraphProto g, string name, TensorProto value)
    {
        value.Name = "";
        return AddNode(g, "Constant", name + "_const", [], name, ("value", value));
    }

    private static string AddNode(GraphProto g, string op, string name, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (attribute, value) in attributes)
        {
            node.Attribute.Add(ModelBuilder.Attribute(attribute, value));
        }

        g.Node.Add(node);
        return output;
    }

    /// <summary>The batch dimension to use for the PCM input, and the shape (after the batch) to reshape features to, if any.</summary>
    private static (object Batch, long[]? ReshapeTo) MatchShape(ValueInfoProto input, FrontEndOptions o)
    {
        var type = input.Type?.TensorType;
        if (type is null)
        {
            throw new CompressException(DataMessages.PrependMismatch($"input '{input.Name}' is not a tensor"));
        }

        if (type.ElemType != (int)DataType.Float)
        {
            throw new CompressException(DataMessages.PrependMismatch($"input '{input.Name}' has element type {(DataType)type.ElemType}; the front-end produces float"));
        }

        var want = o.OutputShape.ToArray();
        if (type.Shape is null)
        {
            return ("N", null);
        }

        var dims = type.Shape.Dim;
        object batch = dims.Count > 0 && dims[0].HasDimParam ? dims[0].DimParam : dims.Count > 0 && dims[0].HasDimValue ? dims[0].DimValue : "N";
        var rest = dims.Skip(1).ToList();
        var described = $"[{string.Join(", ", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?"))}]";
        if (rest.Count == want.Length && rest.Zip(want).All(p => !p.First.HasDimValue || p.First.DimValue == p.Second))
        {
            return (batch, null);
        }

        if (rest.All(d => d.HasDimValue) && rest.Aggregate(1L, (a, d) => a * d.DimValue) == want.Aggregate(1L, (a, d) => a * d))
        {
            return (batch, rest.Select(d => d.DimValue).ToArray());
        }

        throw new CompressException(DataMessages.PrependMismatch(
            $"input '{input.Name}' has shape {described}, but the front-end produces [N, {string.Join(", ", want)}]"));
    }

    private static HashSet<string> AllNames(GraphProto g)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(g.Input.Select(i => i.Name));
        names.UnionWith(g.Output.Select(i => i.Name));
        names.UnionWith(g.ValueInfo.Select(i => i.Name));
        names.UnionWith(g.Initializer.Select(i => i.Name));
        foreach (var node in g.Node)
        {
            names.Add(node.Name);
            names.UnionWith(node.Input);
            names.UnionWith(node.Output);
        }

        return names;
    }

    private static string UniquePrefix(HashSet<string> names)
    {
        for (var i = 0; ; i++)
        {
            var prefix = i == 0 ? "frontend/" : $"frontend{i}/";
            if (!names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return prefix;
            }
        }
    }
}
