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
            RequireFaster = r.Bool("require_faster", false),
            RequireFasterLocation = r.KeyAt("require_faster"),
            Location = r.Location,
        };
        if (spec.RequireFaster && spec.Weights != WeightQuantization.Int8)
        {
            context.Add(SpecMessages.NoEffect(spec.RequireFasterLocation, r.Child("require_faster"), "without 'quantize.weights: int8' (it compares the int8 file's latency with the float export's)"));
        }

        r.Finish();
        return spec;
    }
}
