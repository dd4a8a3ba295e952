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
            Format = r.Enum("format", QuantizationFormat.Qdq),
            Mode = r.Enum("mode", QuantizationMode.PostTraining),
            AwareEpochs = r.Int("aware_epochs", QuantizeSpec.DefaultAwareEpochs, NumberRange.Closed(1, 10000)),
            RequireFaster = r.Bool("require_faster", false),
            RequireFasterLocation = r.KeyAt("require_faster"),
            Activations = r.Enum("activations", ActivationQuantization.None),
            Calibration = Calibration(r),
            Location = r.Location,
        };
        if (spec.RequireFaster && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(spec.RequireFasterLocation, r.Child("require_faster"), "without 'quantize.weights: int8' (it compares the int8 file's latency with the float export's)"));
        }

        if (r.Has("format") && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("format"), r.Child("format"), "without 'quantize.weights: int8'"));
        }

        if (spec.Mode == QuantizationMode.Aware && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("mode"), r.Child("mode"), "without 'quantize.weights: int8' (there are no int8 weights to train against)"));
        }

        if (r.Has("aware_epochs") && spec.Mode != QuantizationMode.Aware)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("aware_epochs"), r.Child("aware_epochs"), "without 'quantize.mode: aware'"));
        }

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
