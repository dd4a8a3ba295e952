using Compress.Export;

namespace Compress.Spec;

/// <summary><c>quantize:</c> post-training quantization of the exported model (docs/quantization.md).</summary>
public sealed record QuantizeSpec
{
    /// <summary><c>quantize.weights</c>. Default <see cref="WeightQuantization.None"/> (weights stay float32).</summary>
    public WeightQuantization Weights { get; init; } = WeightQuantization.None;

    /// <summary><c>quantize.activations</c>. Default <see cref="ActivationQuantization.None"/>; <c>int8</c> needs <c>weights: int8</c>.</summary>
    public ActivationQuantization Activations { get; init; } = ActivationQuantization.None;

    /// <summary><c>quantize.calibration</c>: the clips and method that calibrate int8 activations.</summary>
    public CalibrationOptions Calibration { get; init; } = new();

    /// <summary>Where the <c>quantize:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
