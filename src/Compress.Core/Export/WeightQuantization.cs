namespace Compress.Export;

/// <summary>How the exported model's prunable weights are stored (<c>quantize.weights</c>).</summary>
public enum WeightQuantization
{
    /// <summary>Weights stay float32, as trained.</summary>
    None,

    /// <summary>
    /// Weights become int8, symmetric per output channel with zero point 0 (so every pruned zero stays exactly 0), each
    /// behind a <c>DequantizeLinear</c> node (QDQ format); see <see cref="Int8WeightQuantizer"/>.
    /// </summary>
    Int8,
}
