using System.Runtime.InteropServices;
using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Export;

/// <summary>One read of a weight initializer: its name, the reading node (main graph) and which of its inputs it is.</summary>
public sealed record WeightRead(string Name, NodeProto Node, int InputIndex);

/// <summary>A model whose weights <see cref="Int8WeightQuantizer"/> quantized.</summary>
/// <param name="Model">The quantized copy.</param>
/// <param name="Quantized">The initializers now stored as int8 behind a DequantizeLinear, in graph order.</param>
/// <param name="LeftFloat">Prunable weights kept float32, each with the reason.</param>
/// <param name="Opset">The default-domain opset the model imports.</param>
public sealed record QuantizedWeights(ModelProto Model, IReadOnlyList<string> Quantized, IReadOnlyList<(string Name, string Reason)> LeftFloat, long Opset)
{
    /// <summary>Whether the opset is too old for per-axis DequantizeLinear, so nothing was quantized.</summary>
    public bool OpsetTooOld => Opset < Int8WeightQuantizer.MinimumOpset;
}

/// <summary>
/// Post-training int8 weight quantization that keeps the sparsity. Each float32 weight initializer of rank ≥ 2 it is
/// given (the pipeline passes the prunable ones, <c>PrunableWeights.Reads</c>: Conv/ConvTranspose W, Gemm/MatMul B or
/// constant A, GRU/LSTM W and R) becomes an int8
/// initializer <c>&lt;name&gt;_quantized</c> read by a <c>DequantizeLinear</c> whose output keeps the original name, so
/// every consumer is untouched. Symmetric, per output channel: scale_c = max|w_c| / 127 (1 for an all-zero channel, as
/// ONNX Runtime requires scale &gt; 0), zero point 0, q = clamp(round_half_even(w / scale_c), −127, 127); a zero stays
/// exactly 0 and every other weight is within scale_c / 2 of its float value. Activations stay float.
/// </summary>
public static class Int8WeightQuantizer
{
    /// <summary>The first opset whose DequantizeLinear has the <c>axis</c> attribute (per-channel scales).</summary>
    public const long MinimumOpset = 13;

    /// <summary>What the exported model's metadata records (<c>compress.quantize</c>).</summary>
    public const string Scheme = "weights:int8,per-channel,symmetric,qdq";

    /// <summary>The largest |q| of a full-range weight: 127 (−128 is never used).</summary>
    public const int FullRange = 127;

    /// <summary>
    /// The largest |q| with int8 activations: 64, 7 bits (ONNX Runtime's <c>reduce_range</c>). ONNX Runtime's u8 × s8
    /// kernels on x86 without VNNI (AVX2, this project's CPUs) add pairs of u8·s8 products in int16 with saturation
    /// (VPMADDUBSW): 2 · 255 · 127 overflows, 2 · 255 · 64 = 32,640 does not. Measured: full-range weights put the fused
    /// QLinearConv up to 47 steps away from the QDQ graph's arithmetic, 7-bit weights 0 (<c>ActivationQuantizationTests</c>).
    /// </summary>
    public const int ReducedRange = 64;

    /// <summary>
    /// The copy of <paramref name="model"/> with each weight of <paramref name="weights"/> quantized (the original is not
    /// modified). A weight read several times is quantized once, when every read agrees on the output-channel axis.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is not an initializer of the main graph.</exception>
    /// <param name="maxLevel">The largest |q|: <see cref="FullRange"/>, or <see cref="ReducedRange"/> under int8 activations.</param>
    public static QuantizedWeights Apply(ModelProto model, IEnumerable<WeightRead> weights, int maxLevel = FullRange)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLevel, FullRange);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var result = model.Clone();
        var graph = result.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var opset = result.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        var operands = weights.GroupBy(o => o.Name, StringComparer.Ordinal).ToList();
        var leftFloat = new List<(string, string)>();
        if (opset < MinimumOpset)
        {
            leftFloat.AddRange(operands.Select(g => (g.Key, $"opset {opset} has no per-channel DequantizeLinear (needs {MinimumOpset})")));
            return new QuantizedWeights(result, [], leftFloat, opset);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Initializer.Select(t => t.Name));
        names.UnionWith(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name));
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Node.SelectMany(n => n.Input.Concat(n.Output)));
        names.UnionWith(graph.Node.Select(n => n.Name));
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var quantized = new List<string>();
        var dequantizers = new List<NodeProto>();
        foreach (var uses in operands)
        {
            var name = uses.Key;
            var index = IndexOf(graph, name);
            var tensor = graph.Initializer[index];
            var rank = tensor.Dims.Count;
            var axes = uses.Select(u => OutputChannelAxis(u.Node.OpType, u.InputIndex, rank, u.Node)).Distinct().ToList();
            var reason = tensor.DataType != (int)DataType.Float ? "not float32"
                : rank < 2 ? "rank below 2"
                : graphInputs.Contains(name) ? "also a graph input (it may be fed at run time)"
                : axes.Count != 1 || axes[0] is null ? "its readers disagree on the output-channel axis"
                : null;
            if (reason is not null)
            {
                leftFloat.Add((name, reason));
                continue;
            }

            var axis = axes[0]!.Value;
            var (values, scales) = Quantize(GraphEdits.Floats(tensor), [.. tensor.Dims], axis, maxLevel);
            var qName = GraphEdits.Unique(names, name + "_quantized");
            var scaleName = GraphEdits.Unique(names, name + "_scale");
            var zeroName = GraphEdits.Unique(names, name + "_zero_point");
            var q = new TensorProto { Name = qName, DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
            q.Dims.AddRange(tensor.Dims);
            if (tensor.HasDocString)
            {
                q.DocString = tensor.DocString;
            }

            var scale = new TensorProto { Name = scaleName, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) };
            scale.Dims.Add(scales.Length);
            var zero = new TensorProto { Name = zeroName, DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(new byte[scales.Length]) };
            zero.Dims.Add(scales.Length);
            graph.Initializer[index] = q;
            graph.Initializer.Add(scale);
            graph.Initializer.Add(zero);

            var node = new NodeProto { OpType = "DequantizeLinear", Name = GraphEdits.Unique(names, name + "_DequantizeLinear") };
            node.Input.AddRange([qName, scaleName, zeroName]);
            node.Output.Add(name);
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
            dequantizers.Add(node);
            quantized.Add(name);
        }

        // Every DequantizeLinear reads initializers only, so putting them first keeps the graph topologically sorted.
        for (var i = dequantizers.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, dequantizers[i]);
        }

        return new QuantizedWeights(result, quantized, leftFloat, opset);
    }

    /// <summary>
    /// The axis of a weight that indexes the reading node's output channels, or null when there is none: Conv W 0,
    /// ConvTranspose W 1, MatMul B rank−1 and constant A rank−2, Gemm B 1 (0 with transB) and A 0 (1 with transA), GRU/LSTM W and R 1.
    /// </summary>
    public static int? OutputChannelAxis(string opType, int inputIndex, int rank, NodeProto? node = null) => (opType, inputIndex) switch
    {
        ("Conv", 1) => 0,
        ("ConvTranspose", 1) => 1,
        ("MatMul", 1) => rank - 1,
        ("MatMul", 0) => rank - 2,
        ("Gemm", 1) => Flag(node, "transB") ? 0 : 1,
        ("Gemm", 0) => Flag(node, "transA") ? 1 : 0,
        ("GRU" or "LSTM", 1 or 2) => 1,
        _ => null,
    };

    /// <summary>
    /// Symmetric per-channel int8 quantization of a row-major tensor with <paramref name="dims"/> along <paramref name="axis"/>:
    /// the int8 values and one scale per channel (max|w_c| / <paramref name="maxLevel"/>).
    /// </summary>
    public static (sbyte[] Values, float[] Scales) Quantize(ReadOnlySpan<float> values, long[] dims, int axis, int maxLevel = FullRange)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, dims.Length);
        var channels = (int)dims[axis];
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        var max = new float[channels];
        for (var i = 0; i < values.Length; i++)
        {
            var c = (int)(i / inner % channels);
            max[c] = Math.Max(max[c], Math.Abs(values[i]));
        }

        var scales = max.Select(m => m > 0 ? m / maxLevel : 1f).ToArray();
        var result = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var q = Math.Round(values[i] / (double)scales[(int)(i / inner % channels)], MidpointRounding.ToEven);
            result[i] = (sbyte)Math.Clamp(q, -maxLevel, maxLevel);
        }

        return (result, scales);
    }

    /// <summary>
    /// The float values the exported <c>DequantizeLinear</c> gives for <paramref name="values"/>: <see cref="Quantize"/>'s
    /// int8 values times their channel's scale (what quantization-aware training trains against).
    /// </summary>
    public static float[] Dequantized(ReadOnlySpan<float> values, long[] dims, int axis, int maxLevel = FullRange)
    {
        var (q, scales) = Quantize(values, dims, axis, maxLevel);
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        var result = new float[q.Length];
        for (var i = 0; i < q.Length; i++)
        {
            result[i] = q[i] * scales[(int)(i / inner % scales.Length)];
        }

        return result;
    }

    private static bool Flag(NodeProto? node, string name) => node?.Attribute.FirstOrDefault(a => a.Name == name)?.I is { } v && v != 0;

    private static int IndexOf(GraphProto graph, string name)
    {
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            if (graph.Initializer[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{name}' is not an initializer of the main graph", nameof(name));
    }
}
