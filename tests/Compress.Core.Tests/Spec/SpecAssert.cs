using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary>Compares spec sections by value, ignoring where they were written (tested separately).</summary>
internal static class SpecAssert
{
    public static T Unlocated<T>(T section) => section switch
    {
        ModelSpec m => (T)(object)(m with { Location = SpecLocation.None }),
        DataSpec d => (T)(object)(d with { Location = SpecLocation.None, Augmentation = d.Augmentation is null ? null : d.Augmentation with { Location = SpecLocation.None } }),
        FeaturesSpec f => (T)(object)(f with { Location = SpecLocation.None }),
        PruningSpec p => (T)(object)(p with { Location = SpecLocation.None, Schedule = p.Schedule with { Location = SpecLocation.None } }),
        FinetuneSpec t => (T)(object)(t with
        {
            Location = SpecLocation.None,
            Distillation = t.Distillation is null ? null : t.Distillation with { Location = SpecLocation.None },
            EarlyStop = t.EarlyStop is null ? null : t.EarlyStop with { Location = SpecLocation.None },
        }),
        GateSpec g => (T)(object)(g with { Location = SpecLocation.None }),
        OutputSpec o => (T)(object)(o with { Location = SpecLocation.None }),
        _ => section,
    };

    public static void Equal<T>(T expected, T actual) => Assert.Equal(Unlocated(expected), Unlocated(actual));

    public static CompressSpec Parses(string yaml, string file, params string[] overrides)
    {
        var result = SpecParser.ParseText(yaml, file, overrides);
        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        Assert.NotNull(result.Spec);
        return result.Spec;
    }
}
