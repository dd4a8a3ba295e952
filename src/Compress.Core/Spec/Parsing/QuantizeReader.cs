using Compress.Export;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>quantize:</c>.</summary>
internal static class QuantizeReader
{
    public static QuantizeSpec Read(SectionReader root)
    {
        var r = root.Section("quantize");
        var spec = new QuantizeSpec
        {
            Weights = r.Enum("weights", WeightQuantization.None),
            Location = r.Location,
        };
        r.Finish();
        return spec;
    }
}
