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
            Mode = r.Enum("mode", QuantizationMode.PostTraining),
            AwareEpochs = r.Int("aware_epochs", QuantizeSpec.DefaultAwareEpochs, NumberRange.Closed(1, 10000)),
            RequireFaster = r.Bool("require_faster", false),
            RequireFasterLocation = r.KeyAt("require_faster"),
            Location = r.Location,
        };
        if (spec.RequireFaster && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(spec.RequireFasterLocation, r.Child("require_faster"), "without 'quantize.weights: int8' (it compares the int8 file's latency with the float export's)"));
        }

        if (spec.Mode == QuantizationMode.Aware && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("mode"), r.Child("mode"), "without 'quantize.weights: int8' (there are no int8 weights to train against)"));
        }

        if (r.Has("aware_epochs") && spec.Mode != QuantizationMode.Aware)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("aware_epochs"), r.Child("aware_epochs"), "without 'quantize.mode: aware'"));
        }

        r.Finish();
        return spec;
    }
}
