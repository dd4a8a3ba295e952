namespace Compress.Export;

/// <summary>How the exported model's activations around the int8-weight operators are stored (<c>quantize.activations</c>).</summary>
public enum ActivationQuantization
{
    /// <summary>Activations stay float32 (weight-only quantization).</summary>
    None,

    /// <summary>
    /// The float inputs and outputs of every Conv, MatMul and Gemm whose weight is int8 pass through a
    /// QuantizeLinear → DequantizeLinear pair: uint8, asymmetric, one scale and zero point per tensor, calibrated on
    /// training clips (<see cref="ActivationCalibrator"/>, <see cref="Int8ActivationQuantizer"/>).
    /// </summary>
    Int8,
}

/// <summary>How a calibrated activation's range is chosen (<c>quantize.calibration.method</c>).</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen over the calibration clips.</summary>
    [SpecName("minmax")]
    MinMax,

    /// <summary>
    /// The range clipped to a percentile of |x| (<see cref="CalibrationOptions.Percentile"/>), so a few outliers do not
    /// widen every step; the sign side that never goes negative (a Relu's output) keeps 0 as its low end.
    /// </summary>
    [SpecName("percentile")]
    Percentile,
}

/// <summary><c>quantize.calibration</c>: which clips calibrate the activation ranges and how.</summary>
/// <param name="Clips">How many training clips, the first of the training split in its fixed order (at least 1).</param>
/// <param name="Method">How the range is chosen from the values seen.</param>
/// <param name="Percentile">With <see cref="CalibrationMethod.Percentile"/>: the percentile of |x| kept, in (50, 100].</param>
public sealed record CalibrationOptions(int Clips = CalibrationOptions.DefaultClips, CalibrationMethod Method = CalibrationMethod.MinMax, double Percentile = CalibrationOptions.DefaultPercentile)
{
    /// <summary>The default number of calibration clips.</summary>
    public const int DefaultClips = 200;

    /// <summary>The default percentile of |x| for <see cref="CalibrationMethod.Percentile"/>.</summary>
    public const double DefaultPercentile = 99.99;

    /// <summary>The spelling the metadata and report use: "minmax,200 clips" or "percentile 99.99,200 clips".</summary>
    public string Describe() => Method switch
    {
        CalibrationMethod.MinMax => $"minmax,{Clips} clips",
        CalibrationMethod.Percentile => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"percentile {Percentile:G},{Clips} clips"),
    };
}
