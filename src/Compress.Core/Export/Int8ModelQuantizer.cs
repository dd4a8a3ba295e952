using Compress.Onnx.Proto;

namespace Compress.Export;

/// <summary>A model with int8 weights and int8 activations (<see cref="Int8ModelQuantizer"/>).</summary>
/// <param name="Model">The quantized copy.</param>
/// <param name="Weights">Every weight now stored int8 (7-bit for Conv/MatMul/Gemm, 8-bit for GRU/LSTM).</param>
/// <param name="Activations">The activation pairs and int32 biases.</param>
/// <param name="Ranges">The calibrated ranges, by tensor name (to reuse on a graph with the same tensors).</param>
/// <param name="FoldedNorms">How many BatchNormalizations were folded into the Conv before them.</param>
/// <param name="Opset">The default-domain opset; below <see cref="Int8WeightQuantizer.MinimumOpset"/> nothing is quantized.</param>
public sealed record Int8Model(ModelProto Model, IReadOnlyList<string> Weights, QuantizedActivations Activations, IReadOnlyDictionary<string, ActivationRange> Ranges, int FoldedNorms, long Opset)
{
    /// <summary>Whether the opset is too old for per-axis DequantizeLinear, so nothing was quantized.</summary>
    public bool OpsetTooOld => Opset < Int8WeightQuantizer.MinimumOpset;
}

/// <summary>
/// <c>quantize.activations: int8</c> in order, the one place the steps are put together (the pipeline and the tests
/// call it): fold BatchNormalization into Conv (<see cref="BatchNormFolding"/>); quantize the weights read by Conv,
/// MatMul and Gemm to 7 bits (<see cref="Int8WeightQuantizer.ReducedRange"/>) and the others (GRU/LSTM) to 8; find the
/// activation sites (<see cref="Int8ActivationQuantizer.Sites"/>); calibrate them on the folded float model; insert the
/// QDQ pairs and int32 biases.
/// </summary>
public static class Int8ModelQuantizer
{
    /// <param name="model">The float model as it ships.</param>
    /// <param name="weights">The weights to quantize, as read in <paramref name="model"/> (the pipeline passes the prunable ones).</param>
    /// <param name="exclude">Tensors never quantized (a PCM graph input).</param>
    /// <param name="calibrate">
    /// The range of each named tensor in the folded float model it is given (the pipeline runs ONNX Runtime on training
    /// clips, <see cref="ActivationCalibrator"/>).
    /// </param>
    public static Int8Model Apply(ModelProto model, IReadOnlyList<WeightRead> weights, IReadOnlySet<string>? exclude, Func<ModelProto, IReadOnlyList<string>, IReadOnlyDictionary<string, ActivationRange>> calibrate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(calibrate);
        var (folded, norms) = BatchNormFolding.Apply(model);
        var integer = weights.Where(r => Int8ActivationQuantizer.Operators.Contains(r.Node.OpType)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var other = Int8WeightQuantizer.Apply(folded, weights.Where(r => !integer.Contains(r.Name)));
        var q = Int8WeightQuantizer.Apply(other.Model, weights.Where(r => integer.Contains(r.Name)), Int8WeightQuantizer.ReducedRange);
        if (q.OpsetTooOld)
        {
            return new Int8Model(q.Model, [], new QuantizedActivations(q.Model, [], []), new Dictionary<string, ActivationRange>(), 0, q.Opset);
        }

        var sites = Int8ActivationQuantizer.Sites(folded, q.Quantized, exclude);
        var ranges = calibrate(folded, [.. sites.Select(s => s.Tensor)]);
        var activations = Int8ActivationQuantizer.Apply(q.Model, sites, ranges);
        return new Int8Model(activations.Model, [.. other.Quantized, .. q.Quantized], activations, ranges, norms, q.Opset);
    }
}
