using Compress.Diagnostics;
using Compress.Export;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>quantize:</c>.</summary>
internal static class QuantizeReader
{
    public static QuantizeSpec Read(SpecContext context, SectionReader root)
    {
        var r = root.Section("quantize");
        var spec = new QuantizeSpec
        {
            Weights = r.Enum("weights", WeightQuantization.None),
            Activations = r.Enum("activations", ActivationQuantization.None),
            Calibration = Calibration(r),
            Location = r.Location,
        };
        if (spec.Activations == ActivationQuantization.Int8 && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.Contradiction(r.At("activations"), "'quantize.activations: int8' needs 'quantize.weights: int8' (the integer kernels multiply int8 weights)"));
        }

        if (spec.Activations != ActivationQuantization.Int8 && r.Has("calibration"))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("calibration"), r.Child("calibration"), "without 'quantize.activations: int8'"));
        }

        r.Finish();
        return spec;
    }

    private static CalibrationOptions Calibration(SectionReader quantize)
    {
        var r = quantize.Section("calibration");
        var options = new CalibrationOptions(
            r.Int("clips", CalibrationOptions.DefaultClips, NumberRange.Closed(1, 100_000)),
            r.Enum("method", CalibrationMethod.MinMax),
            r.Double("percentile", CalibrationOptions.DefaultPercentile, NumberRange.OpenClosed(50, 100)));
        r.Finish();
        return options;
    }
}
