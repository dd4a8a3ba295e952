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

/// <summary>
/// How int8 is written into the ONNX file (<c>quantize.format</c>). Only QDQ is written: QuantizeLinear/DequantizeLinear
/// around float operators, which ONNX Runtime fuses into its integer kernels (QLinearConv, QLinearMatMul) and which
/// keeps the file runnable by any ONNX runtime. The QOperator form (QLinearConv nodes in the file) is not written.
/// </summary>
public enum QuantizationFormat
{
    /// <summary>QuantizeLinear → DequantizeLinear pairs (activations) and DequantizeLinear of int8 initializers (weights).</summary>
    [SpecName("qdq")] Qdq,
}

/// <summary>When the weights become int8 (<c>quantize.mode</c>).</summary>
public enum QuantizationMode
{
    /// <summary>After training: the fine-tuned float weights are quantized at export.</summary>
    [SpecName("post_training")] PostTraining,

    /// <summary>
    /// Quantization-aware: the last <c>quantize.aware_epochs</c> epochs train against the int8 weights (float copies
    /// take the updates, pruned weights stay 0); see <c>Pruning.QuantizationAwareHook</c>.
    /// </summary>
    [SpecName("aware")] Aware,
}
