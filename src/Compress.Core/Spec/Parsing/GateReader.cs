using Compress.Diagnostics;
using Compress.Evaluation;
namespace Compress.Spec.Parsing;

/// <summary>Reads <c>gate:</c>: at least one threshold, each fitting the metric's direction.</summary>
internal static class GateReader
{
    private static readonly NumberRange Unit = NumberRange.Closed(0, 1);

    public static GateSpec? Read(SpecContext context, SectionReader root)
    {
        var present = root.Node("gate") is Yaml.YamlMapping;
        var r = root.Section("gate");
        var spec = new GateSpec
        {
            Metric = r.Enum("metric", GateMetricKind.Accuracy),
            Min = r.OptionalDouble("min", Unit),
            Max = r.OptionalDouble("max", Unit),
            MaxDrop = r.OptionalDouble("max_drop", Unit) ?? r.OptionalDouble("max_increase", Unit),
            MaxRelativeDrop = r.OptionalDouble("max_relative_drop", Unit),
            FaPerHour = r.OptionalDouble("fa_per_hour", NumberRange.OpenClosed(0, 3600)),
            Location = r.Location,
        };
        if (present)
        {
            Check(context, r, spec);
        }

        r.Finish();
        return present ? spec : null;
    }

    private static void Check(SpecContext context, SectionReader r, GateSpec spec)
    {
        var metric = SpecNames.Of(spec.Metric);
        var lowerIsBetter = GateSpec.ToMetric(spec.Metric, faPerHour: 1, clipSeconds: 1).Direction == MetricDirection.LowerIsBetter;
        if (!new[] { "min", "max", "max_drop", "max_increase", "max_relative_drop" }.Any(r.Has))
        {
            context.Add(SpecMessages.MissingKey(r.Location, lowerIsBetter ? "gate.max" : "gate.min", $"a gate needs at least one of min, max, {(lowerIsBetter ? "max_increase" : "max_drop")}, max_relative_drop"));
        }

        if (r.Has("max_drop") && r.Has("max_increase"))
        {
            context.Add(SpecMessages.Contradiction(r.KeyAt("max_increase"), "'gate.max_increase' and 'gate.max_drop' are the same threshold; write one"));
        }

        if (!lowerIsBetter && r.Has("max_increase"))
        {
            context.Add(SpecMessages.Contradiction(r.KeyAt("max_increase"), $"'gate.max_increase' does not fit {metric}, where higher is better; use 'gate.max_drop'"));
        }

        if (lowerIsBetter && r.Has("min"))
        {
            context.Add(SpecMessages.Contradiction(r.KeyAt("min"), $"'gate.min' does not fit {metric}, where lower is better; use 'gate.max'"));
        }

        if (!lowerIsBetter && r.Has("max"))
        {
            context.Add(SpecMessages.Contradiction(r.KeyAt("max"), $"'gate.max' does not fit {metric}, where higher is better; use 'gate.min'"));
        }

        var needsHours = spec.Metric == GateMetricKind.FrrAtFaPerHour;
        if (needsHours && !r.Has("fa_per_hour"))
        {
            context.Add(SpecMessages.MissingKey(r.Location, "gate.fa_per_hour", $"gate.metric {metric} needs it"));
        }

        if (!needsHours && r.Has("fa_per_hour"))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("fa_per_hour"), "gate.fa_per_hour", $"with gate.metric {metric}"));
        }
    }
}
