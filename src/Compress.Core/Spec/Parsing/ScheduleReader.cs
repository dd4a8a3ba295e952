using Compress.Diagnostics;
using Compress.Pruning;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>pruning.schedule:</c>; end_epoch defaults to ⌈0.75 × epochs⌉ (at least begin_epoch + 1).</summary>
internal static class ScheduleReader
{
    public static ScheduleSpec Read(SpecContext context, SectionReader pruning, SparsityTarget? target, int epochs)
    {
        var present = pruning.Node("schedule") is Yaml.YamlMapping;
        var r = pruning.Section("schedule");
        var kind = r.Enum("kind", ScheduleOptions.DefaultKind);
        var initial = r.Double("initial_sparsity", ScheduleOptions.DefaultInitialSparsity, NumberRange.HalfOpen(0, 1));
        var begin = r.Int("begin_epoch", ScheduleOptions.DefaultBeginEpoch, NumberRange.Closed(0, 10000));
        var end = r.OptionalInt("end_epoch", NumberRange.Closed(1, 10000));
        var spec = new ScheduleSpec
        {
            Kind = kind,
            InitialSparsity = initial,
            BeginEpoch = begin,
            EndEpoch = end ?? ScheduleSpec.DefaultEndEpoch(begin, epochs),
            FrequencySteps = r.Int("frequency_steps", ScheduleOptions.DefaultFrequencySteps, NumberRange.Closed(1, 1000000)),
            Power = r.Double("power", ScheduleOptions.DefaultPower, NumberRange.OpenClosed(0, 10)),
            Rounds = r.Int("rounds", ScheduleOptions.DefaultRounds, NumberRange.Closed(1, 1000)),
            Location = r.Location,
        };
        if (present)
        {
            Check(context, r, spec, target, epochs);
        }

        r.Finish();
        return spec;
    }

    private static void Check(SpecContext context, SectionReader r, ScheduleSpec spec, SparsityTarget? target, int epochs)
    {
        var because = $"with pruning.schedule.kind {SpecNames.Of(spec.Kind)}";
        if (spec.Kind != ScheduleKind.Polynomial)
        {
            foreach (var key in new[] { "initial_sparsity", "begin_epoch", "end_epoch", "frequency_steps", "power" }.Where(r.Has))
            {
                context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), because));
            }
        }

        if (spec.Kind != ScheduleKind.Iterative && r.Has("rounds"))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("rounds"), r.Child("rounds"), because));
        }

        if (spec.Kind == ScheduleKind.Polynomial)
        {
            if (spec.BeginEpoch >= epochs)
            {
                context.Add(SpecMessages.Contradiction(r.At("begin_epoch"), $"'pruning.schedule.begin_epoch' ({spec.BeginEpoch}) must be below 'finetune.epochs' ({epochs})"));
            }
            else if (spec.EndEpoch <= spec.BeginEpoch)
            {
                context.Add(SpecMessages.Contradiction(r.At("end_epoch"), $"'pruning.schedule.end_epoch' ({spec.EndEpoch}) must be after 'pruning.schedule.begin_epoch' ({spec.BeginEpoch})"));
            }
            else if (spec.EndEpoch > epochs)
            {
                context.Add(SpecMessages.Contradiction(r.At("end_epoch"), $"'pruning.schedule.end_epoch' ({spec.EndEpoch}) is after the last fine-tuning epoch ('finetune.epochs' is {epochs})"));
            }

            if (target?.Fraction is double f && spec.InitialSparsity > f)
            {
                context.Add(SpecMessages.Contradiction(r.At("initial_sparsity"), $"'pruning.schedule.initial_sparsity' ({NumberRange.F(spec.InitialSparsity)}) is above 'pruning.target_sparsity' ({NumberRange.F(f)})"));
            }
        }

        if (spec.Kind == ScheduleKind.Iterative && spec.Rounds > epochs)
        {
            context.Add(SpecMessages.Contradiction(r.At("rounds"), $"'pruning.schedule.rounds' ({spec.Rounds}) needs at least one fine-tuning epoch per round ('finetune.epochs' is {epochs})"));
        }
    }
}
