using System.Runtime.InteropServices;
using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Export;

/// <summary>
/// One activation that gets a QuantizeLinear → DequantizeLinear pair. Its consumers read the dequantized value under
/// <see cref="Tensor"/>'s name or a new one. With <see cref="FusedRelu"/> the Relu that was the only reader of
/// <see cref="Source"/> is removed: the QuantizeLinear reads <see cref="Source"/> (the operator's output) and its zero
/// point 0 does the Relu's clamp, the DequantizeLinear writes the Relu's output (<see cref="Tensor"/>).
/// </summary>
/// <param name="Tensor">The tensor whose range is calibrated and whose readers see the dequantized value.</param>
/// <param name="Source">What the QuantizeLinear reads (<see cref="Tensor"/>, or the Relu's input when fused).</param>
/// <param name="FusedRelu">The Relu node removed, or null.</param>
public sealed record ActivationSite(string Tensor, string Source, NodeProto? FusedRelu);

/// <summary>A model whose activations <see cref="Int8ActivationQuantizer"/> quantized.</summary>
/// <param name="Model">The quantized copy.</param>
/// <param name="Activations">The activations behind a QuantizeLinear → DequantizeLinear pair, in graph order.</param>
/// <param name="Biases">The biases now stored as int32 (scale = input scale × weight scale per channel).</param>
public sealed record QuantizedActivations(ModelProto Model, IReadOnlyList<string> Activations, IReadOnlyList<string> Biases);

/// <summary>
/// Static int8 activation quantization in QDQ format, after <see cref="Int8WeightQuantizer"/>. For every Conv, MatMul and
/// Gemm whose weight is int8 (not GRU/LSTM: ONNX Runtime has no integer recurrent kernel), the float activation input and
/// the output get a QuantizeLinear → DequantizeLinear pair, <b>uint8, asymmetric, per tensor</b> (scale =
/// (max − min) / 255 over a range widened to include 0, zero point = round(−min / scale)), so ONNX Runtime's QDQ
/// transformer can fuse DQ → Conv → Q into QLinearConv (u8 activations × s8 weights, its CPU fast path) and likewise
/// MatMul and Gemm. An output read only by a Relu is quantized over the Relu's range with zero point 0 and the Relu is
/// removed: the QuantizeLinear's clamp at 0 is the Relu. A tensor read by several nodes has one pair, all readers read
/// its DequantizeLinear. A bias of a Conv or Gemm whose input is quantized becomes int32 with scale = input scale ×
/// weight scale (what ONNX Runtime needs to fuse the node), that scale a Mul of the two scale initializers. Never quantized: graph outputs (the model's outputs stay
/// float and keep their names), the names in <c>exclude</c> (the pipeline passes a raw-audio graph input), initializers,
/// and nodes of a prepended front end (names starting with <see cref="FrontEndPrefix"/>).
/// </summary>
public static class Int8ActivationQuantizer
{
    /// <summary>The node-name prefix of a prepended front end, whose nodes are never quantized.</summary>
    public const string FrontEndPrefix = "frontend/";

    /// <summary>The operators whose activations are quantized when their weight is int8.</summary>
    public static IReadOnlySet<string> Operators { get; } = new HashSet<string>(["Conv", "MatMul", "Gemm"], StringComparer.Ordinal);

    /// <summary>
    /// What the model's metadata records (<c>compress.quantize</c>) when activations are int8 too, e.g.
    /// <c>weights:int8,7-bit,per-channel,symmetric;activations:uint8,per-tensor,asymmetric,static,minmax,200 clips;qdq</c>.
    /// </summary>
    public static string Scheme(CalibrationOptions calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        return $"weights:int8,7-bit,per-channel,symmetric;activations:uint8,per-tensor,asymmetric,static,{calibration.Describe()};qdq";
    }

    /// <summary>
    /// The activations to quantize in <paramref name="model"/> (float or weight-quantized: the names are the same) around
    /// the nodes that read one of <paramref name="int8Weights"/>; calibrate each site's <see cref="ActivationSite.Tensor"/>.
    /// </summary>
    public static IReadOnlyList<ActivationSite> Sites(ModelProto model, IReadOnlyCollection<string> int8Weights, IReadOnlySet<string>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(int8Weights);
        var graph = model.Graph;
        var weights = int8Weights.ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var constants = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values.Name)).ToHashSet(StringComparer.Ordinal);
        var readers = Readers(graph);
        var sites = new Dictionary<string, ActivationSite>(StringComparer.Ordinal);
        var order = new List<string>();
        bool Quantizable(string name) => name.Length > 0 && !outputs.Contains(name) && !constants.Contains(name) && !weights.Contains(name) && exclude?.Contains(name) != true;
        void Add(ActivationSite site)
        {
            if (sites.TryAdd(site.Tensor, site))
            {
                order.Add(site.Tensor);
            }
        }

        foreach (var node in graph.Node.Where(n => IsQuantized(n, weights)))
        {
            foreach (var input in ActivationInputs(node, weights).Where(Quantizable))
            {
                Add(new ActivationSite(input, input, null));
            }

            var output = node.Output[0];
            if (!Quantizable(output))
            {
                continue;
            }

            var users = readers.GetValueOrDefault(output, []);
            if (users is [{ OpType: "Relu" } relu] && !relu.Name.StartsWith(FrontEndPrefix, StringComparison.Ordinal) && Quantizable(relu.Output[0]) && !sites.ContainsKey(output))
            {
                Add(new ActivationSite(relu.Output[0], output, relu));
            }
            else
            {
                Add(new ActivationSite(output, output, null));
            }
        }

        return [.. order.Select(t => sites[t])];
    }

    /// <summary>
    /// The copy of <paramref name="model"/> (weights already int8) with a QDQ pair at every site, over its calibrated
    /// range in <paramref name="ranges"/> (a site without a range is skipped), and the biases of the quantized nodes int32.
    /// </summary>
    public static QuantizedActivations Apply(ModelProto model, IReadOnlyList<ActivationSite> sites, IReadOnlyDictionary<string, ActivationRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(ranges);
        var result = model.Clone();
        var graph = result.Graph;
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Initializer.Select(t => t.Name));
        names.UnionWith(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name));
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Output.Select(i => i.Name));
        names.UnionWith(graph.Node.SelectMany(n => n.Input.Concat(n.Output)));
        names.UnionWith(graph.Node.Select(n => n.Name));

        var scales = new Dictionary<string, (float Value, string Name)>(StringComparer.Ordinal);
        var done = new List<string>();
        foreach (var site in sites)
        {
            if (!ranges.TryGetValue(site.Tensor, out var range))
            {
                continue;
            }

            var (scale, zeroPoint) = ScaleAndZeroPoint(range);
            var scaleName = GraphEdits.Unique(names, site.Tensor + "_scale");
            var zeroName = GraphEdits.Unique(names, site.Tensor + "_zero_point");
            graph.Initializer.Add(Scalar(scaleName, DataType.Float, BitConverter.GetBytes(scale)));
            graph.Initializer.Add(Scalar(zeroName, DataType.Uint8, [zeroPoint]));
            var quantizedName = GraphEdits.Unique(names, site.Tensor + "_quantized");
            var q = Node("QuantizeLinear", GraphEdits.Unique(names, site.Tensor + "_QuantizeLinear"), [site.Source, scaleName, zeroName], quantizedName);
            string dequantizedName;
            int at;
            if (site.FusedRelu is { } relu)
            {
                at = IndexOfNode(graph, relu.Name, relu.Output[0]);
                graph.Node.RemoveAt(at);
                dequantizedName = site.Tensor;
            }
            else
            {
                dequantizedName = GraphEdits.Unique(names, site.Tensor + "_dequantized");
                foreach (var n in graph.Node)
                {
                    for (var i = 0; i < n.Input.Count; i++)
                    {
                        if (n.Input[i] == site.Tensor)
                        {
                            n.Input[i] = dequantizedName;
                        }
                    }
                }

                // Right after the producer; a graph input has none, so the pair goes first.
                at = 0;
                for (var i = 0; i < graph.Node.Count; i++)
                {
                    if (graph.Node[i].Output.Contains(site.Source))
                    {
                        at = i + 1;
                        break;
                    }
                }
            }

            var dq = Node("DequantizeLinear", GraphEdits.Unique(names, site.Tensor + "_DequantizeLinear"), [quantizedName, scaleName, zeroName], dequantizedName);
            graph.Node.Insert(at, dq);
            graph.Node.Insert(at, q);
            scales[dequantizedName] = (scale, scaleName);
            done.Add(site.Tensor);
        }

        var biases = QuantizeBiases(graph, scales, names);
        return new QuantizedActivations(result, done, biases);
    }

    /// <summary>
    /// uint8 asymmetric: the range widened to include 0, scale = (max − min) / 255 (1 for an empty range, as ONNX Runtime
    /// requires scale &gt; 0), zero point = round(−min / scale) in [0, 255], so 0 is exact.
    /// </summary>
    public static (float Scale, byte ZeroPoint) ScaleAndZeroPoint(ActivationRange range)
    {
        var min = Math.Min(0f, range.Min);
        var max = Math.Max(0f, range.Max);
        if (!(max > min))
        {
            return (1f, 0);
        }

        var scale = (max - min) / 255f;
        return (scale, (byte)Math.Clamp(Math.Round(-min / scale, MidpointRounding.ToEven), 0, 255));
    }

    private static bool IsQuantized(NodeProto node, HashSet<string> weights) =>
        Operators.Contains(node.OpType) && node.Domain is "" or "ai.onnx" && !node.Name.StartsWith(FrontEndPrefix, StringComparison.Ordinal)
        && node.Input.Take(2).Any(weights.Contains);

    /// <summary>The float activation inputs: Conv's X, and whichever of MatMul's or Gemm's A and B is not the weight.</summary>
    private static IEnumerable<string> ActivationInputs(NodeProto node, HashSet<string> weights) => node.OpType switch
    {
        "Conv" => weights.Contains(node.Input[1]) ? [node.Input[0]] : [],
        _ => node.Input.Take(2).Where(i => !weights.Contains(i)),
    };

    /// <summary>
    /// Conv's B and Gemm's C, when the node's inputs are quantized, become int32 behind a DequantizeLinear (zero point 0,
    /// omitted) whose scale is a <c>Mul</c> of the input's scale and the weight's: the product is not stored (a float
    /// per channel that does not compress), and every runtime folds the Mul of two initializers before it fuses the
    /// node (ONNX Runtime's constant folding runs before its QDQ fusion; the executor folds constant sub-graphs at load).
    /// </summary>
    private static List<string> QuantizeBiases(GraphProto graph, Dictionary<string, (float Value, string Name)> inputScales, HashSet<string> names)
    {
        var weightScales = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Input.Count >= 2)
            .GroupBy(n => n.Output[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Input[1], StringComparer.Ordinal);
        var initializers = graph.Initializer.Select((t, i) => (t, i)).ToDictionary(p => p.t.Name, p => p.i, StringComparer.Ordinal);
        var readCount = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var done = new List<string>();
        var dequantizers = new List<NodeProto>();
        foreach (var node in graph.Node.Where(n => n.OpType is "Conv" or "Gemm" && n.Input.Count >= 3 && !n.Name.StartsWith(FrontEndPrefix, StringComparison.Ordinal)))
        {
            var bias = node.Input[2];
            var (activation, weight) = node.OpType == "Gemm" && inputScales.ContainsKey(node.Input[1]) ? (node.Input[1], node.Input[0]) : (node.Input[0], node.Input[1]);
            if (!inputScales.TryGetValue(activation, out var inputScale) || !weightScales.TryGetValue(weight, out var weightScaleName)
                || !initializers.TryGetValue(bias, out var biasIndex) || readCount[bias] != 1 || !initializers.TryGetValue(weightScaleName, out var scaleIndex))
            {
                continue;
            }

            var tensor = graph.Initializer[biasIndex];
            var weightScale = GraphEdits.Floats(graph.Initializer[scaleIndex]);
            if (tensor.DataType != (int)DataType.Float || tensor.Dims.Count != 1 || (weightScale.Length != 1 && weightScale.Length != tensor.Dims[0]))
            {
                continue;
            }

            var values = GraphEdits.Floats(tensor);
            // float × float, rounded to float as the Mul below computes it, so the int32 values match the stored scale.
            var biasScales = values.Select((_, c) => inputScale.Value * weightScale[weightScale.Length == 1 ? 0 : c]).ToArray();
            var q = values.Select((v, c) => (int)Math.Clamp(Math.Round(v / (double)biasScales[c], MidpointRounding.ToEven), int.MinValue + 1, int.MaxValue)).ToArray();
            var qName = GraphEdits.Unique(names, bias + "_quantized");
            var scaleName = GraphEdits.Unique(names, bias + "_scale");
            var quantized = new TensorProto { Name = qName, DataType = (int)DataType.Int32, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())) };
            quantized.Dims.Add(values.Length);
            graph.Initializer[biasIndex] = quantized;
            dequantizers.Add(Node("Mul", GraphEdits.Unique(names, bias + "_scale_Mul"), [inputScale.Name, weightScaleName], scaleName));
            // No zero point: it is 0, DequantizeLinear's default, and would cost 4 bytes per channel.
            var dq = Node("DequantizeLinear", GraphEdits.Unique(names, bias + "_DequantizeLinear"), [qName, scaleName], bias);
            dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            dequantizers.Add(dq);
            done.Add(bias);
        }

        // They read initializers (and each DequantizeLinear the Mul before it) only, so going first keeps the graph sorted.
        for (var i = dequantizers.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, dequantizers[i]);
        }

        return done;
    }

    private static Dictionary<string, List<NodeProto>> Readers(GraphProto graph)
    {
        var readers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Distinct())
            {
                if (!readers.TryGetValue(input, out var list))
                {
                    readers[input] = list = [];
                }

                list.Add(node);
            }
        }

        return readers;
    }

    private static int IndexOfNode(GraphProto graph, string name, string output)
    {
        for (var i = 0; i < graph.Node.Count; i++)
        {
            if (graph.Node[i].Name == name && graph.Node[i].Output.Contains(output))
            {
                return i;
            }
        }

        throw new ArgumentException($"node '{name}' writing '{output}' is not in the main graph", nameof(name));
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static TensorProto Scalar(string name, DataType type, byte[] raw) => new() { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
}
