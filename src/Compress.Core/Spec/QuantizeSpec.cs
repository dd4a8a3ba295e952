using Compress.Export;

namespace Compress.Spec;

/// <summary><c>quantize:</c> post-training quantization of the exported model (docs/quantization.md).</summary>
public sealed record QuantizeSpec
{
    /// <summary><c>quantize.weights</c>. Default <see cref="WeightQuantization.None"/> (weights stay float32).</summary>
    public WeightQuantization Weights { get; init; } = WeightQuantization.None;

    /// <summary><c>quantize.format</c>: how int8 is written. Only <see cref="QuantizationFormat.Qdq"/> (the default).</summary>
    public QuantizationFormat Format { get; init; } = QuantizationFormat.Qdq;

    /// <summary><c>quantize.mode</c>. Default <see cref="QuantizationMode.PostTraining"/>; <c>aware</c> needs <c>weights: int8</c> (CMP1008 otherwise).</summary>
    public QuantizationMode Mode { get; init; } = QuantizationMode.PostTraining;

    /// <summary>
    /// <c>quantize.aware_epochs</c>: how many of the last fine-tuning epochs train against the int8 weights when
    /// <see cref="Mode"/> is aware (they begin once the final sparsity is in place). Default <see cref="DefaultAwareEpochs"/>.
    /// </summary>
    public int AwareEpochs { get; init; } = DefaultAwareEpochs;

    /// <summary>Default <see cref="AwareEpochs"/>: 2.</summary>
    public const int DefaultAwareEpochs = 2;

    /// <summary>
    /// <c>quantize.require_faster</c>: the run fails (CMP6006) when the int8 file is not faster than the float export
    /// (median paired ONNX Runtime latency ratio int8/float ≥ 1, batch 1, one thread). Default false: a warning
    /// (CMP6007) instead. Needs <c>weights: int8</c> (CMP1008 otherwise).
    /// </summary>
    public bool RequireFaster { get; init; }

    /// <summary>Where <c>quantize.require_faster</c> is written (the <c>quantize:</c> key, or <see cref="SpecLocation.None"/>, when absent).</summary>
    public SpecLocation RequireFasterLocation { get; init; } = SpecLocation.None;

    /// <summary><c>quantize.activations</c>. Default <see cref="ActivationQuantization.None"/>; <c>int8</c> needs <c>weights: int8</c>.</summary>
    public ActivationQuantization Activations { get; init; } = ActivationQuantization.None;

    /// <summary><c>quantize.calibration</c>: the clips and method that calibrate int8 activations.</summary>
    public CalibrationOptions Calibration { get; init; } = new();

    /// <summary>Where the <c>quantize:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
