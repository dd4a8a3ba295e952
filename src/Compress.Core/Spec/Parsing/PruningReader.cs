using Compress.Diagnostics;
using Compress.Pruning;
using Compress.Spec.Yaml;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>pruning:</c> and checks it against the gate and the fine-tuning epochs.</summary>
internal static class PruningReader
{
    private static readonly NumberRange Sparsity = NumberRange.HalfOpen(0, 1);

    public static PruningSpec Read(SpecContext context, SectionReader root, bool hasGate, int epochs)
    {
        var present = root.Node("pruning") is Yaml.YamlMapping;
        var r = root.Section("pruning");
        var method = r.Enum("method", present ? PruningMethod.Magnitude : PruningMethod.None);
        var target = ReadTarget(context, r);
        var spec = new PruningSpec
        {
            Method = method,
            TargetSparsity = target,
            Scope = r.Enum("scope", PruningOptions.DefaultScope),
            MinLayerSparsity = r.Double("min_layer_sparsity", PruningOptions.DefaultMinLayerSparsity, Sparsity),
            MaxLayerSparsity = r.Double("max_layer_sparsity", PruningOptions.DefaultMaxLayerSparsity, Sparsity),
            Allocation = r.Enum("allocation", PruningOptions.DefaultAllocation),
            SensitivityBand = r.Double("sensitivity_band", PruningOptions.DefaultSensitivityBand, NumberRange.Closed(0, 1)),
            Include = r.Strings("include") ?? [],
            Exclude = r.Strings("exclude") ?? [],
            ProtectFirstLast = r.Bool("protect_first_last", PruningOptions.DefaultProtectFirstAndLast),
            Schedule = ScheduleReader.Read(context, r, target, epochs),
            ChannelCriterion = r.Enum("channel_criterion", PruningOptions.DefaultChannelCriterion),
            RoundTo = r.Int("round_to", PruningOptions.DefaultRoundTo, NumberRange.Closed(1, 1024)),
            GradientBatches = r.Int("gradient_batches", PruningOptions.DefaultGradientBatches, NumberRange.Closed(1, 100000)),
            Regularization = r.Enum("regularization", PruningOptions.DefaultRegularization),
            Lambda = r.Double("lambda", PruningOptions.DefaultRegularizationLambda, NumberRange.OpenClosed(0, 10)),
            RegularizationEpochs = r.Int("regularization_epochs", PruningOptions.DefaultRegularizationEpochs, NumberRange.Closed(0, 10000)),
            N = r.Int("n", PruningOptions.DefaultN, NumberRange.Closed(1, 63)),
            M = r.Int("m", PruningOptions.DefaultM, NumberRange.Closed(2, 64)),
            Reconstruct = r.Bool("reconstruct", PruningOptions.DefaultReconstruct),
            MaxTrials = r.Int("max_trials", PruningSpec.DefaultMaxTrials, NumberRange.Closed(1, 50)),
            Location = r.Location,
        };
        if (present)
        {
            Check(context, r, spec, hasGate);
        }

        r.Finish();
        return spec;
    }

    private static SparsityTarget? ReadTarget(SpecContext context, SectionReader r)
    {
        if (r.Node("target_sparsity") is YamlScalar { Plain: true, Value: "max" })
        {
            return SparsityTarget.Max;
        }

        if (r.Node("target_sparsity") is YamlScalar { Plain: true } s && !char.IsDigit(s.Value.TrimStart('-', '+', '.').FirstOrDefault()))
        {
            var suggestion = EditDistance.Suggest(s.Value, ["max"]);
            context.Add(SpecMessages.WrongType(s.Location, r.Child("target_sparsity"), "a fraction in [0, 1) or max", s.Describe() + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)")));
            return null;
        }

        return r.OptionalDouble("target_sparsity", Sparsity) is double fraction ? SparsityTarget.Of(fraction) : null;
    }

    private static void Check(SpecContext context, SectionReader r, PruningSpec spec, bool hasGate)
    {
        var method = SpecNames.Of(spec.Method);
        var withMethod = $"with pruning.method {method}";
        var needsTarget = spec.Method is not (PruningMethod.None or PruningMethod.NM);
        if (r.Has("target_sparsity") && !needsTarget)
        {
            context.Add(spec.Method == PruningMethod.None
                ? SpecMessages.NoEffect(r.KeyAt("target_sparsity"), "pruning.target_sparsity", withMethod)
                : SpecMessages.Contradiction(r.KeyAt("target_sparsity"), $"'pruning.target_sparsity' cannot be set with pruning.method n:m; the sparsity is 1 - n/m ({NumberRange.F(1 - ((double)spec.N / spec.M))})"));
        }
        else if (needsTarget && !r.Has("target_sparsity"))
        {
            context.Add(SpecMessages.MissingKey(r.Location, "pruning.target_sparsity", $"pruning.method {method} needs it"));
        }

        if (spec.TargetSparsity is { IsMax: true } && needsTarget && !hasGate)
        {
            context.Add(SpecMessages.Contradiction(r.At("target_sparsity"), "'pruning.target_sparsity: max' searches for the highest sparsity that passes the gate, but there is no 'gate' section"));
        }

        if (spec.MinLayerSparsity > spec.MaxLayerSparsity)
        {
            context.Add(SpecMessages.Contradiction(r.At("min_layer_sparsity"), $"'pruning.min_layer_sparsity' ({NumberRange.F(spec.MinLayerSparsity)}) is above 'pruning.max_layer_sparsity' ({NumberRange.F(spec.MaxLayerSparsity)})"));
        }
        else if (needsTarget && spec.TargetSparsity?.Fraction is double f && (f > spec.MaxLayerSparsity || f < spec.MinLayerSparsity))
        {
            context.Add(SpecMessages.Contradiction(r.At("target_sparsity"), $"'pruning.target_sparsity' ({NumberRange.F(f)}) cannot be reached with every layer in [{NumberRange.F(spec.MinLayerSparsity)}, {NumberRange.F(spec.MaxLayerSparsity)}] (min/max_layer_sparsity)"));
        }

        if (spec.Method == PruningMethod.NM && spec.N >= spec.M)
        {
            context.Add(SpecMessages.Contradiction(r.At("n"), $"'pruning.n' ({spec.N}) must be below 'pruning.m' ({spec.M})"));
        }

        NoEffectUnless(context, r, spec.Method == PruningMethod.Channel, withMethod, "channel_criterion", "round_to");
        NoEffectUnless(context, r, spec.Method == PruningMethod.Channel, withMethod, "regularization");
        NoEffectUnless(context, r, spec.Method is PruningMethod.L1 or PruningMethod.L2 || (spec.Method == PruningMethod.Channel && spec.Regularization == ChannelRegularization.GroupLasso), withMethod + (spec.Method == PruningMethod.Channel ? " and regularization " + SpecNames.Of(spec.Regularization) : ""), "lambda", "regularization_epochs");
        NoEffectUnless(context, r, spec.Method == PruningMethod.NM, withMethod, "n", "m");
        NoEffectUnless(context, r, spec.Method is PruningMethod.Magnitude or PruningMethod.Gradient or PruningMethod.L1 or PruningMethod.L2 or PruningMethod.NM, withMethod, "reconstruct");
        NoEffectUnless(context, r, spec.Method == PruningMethod.Gradient || spec.Reconstruct || (spec.Method == PruningMethod.Channel && spec.ChannelCriterion == ChannelCriterion.Taylor), withMethod + (spec.Method == PruningMethod.Channel ? " and channel_criterion " + SpecNames.Of(spec.ChannelCriterion) : ""), "gradient_batches");
        NoEffectUnless(context, r, spec.Allocation == SparsityAllocation.Sensitivity, "unless pruning.allocation is sensitivity", "sensitivity_band");
        NoEffectUnless(context, r, spec.Allocation != SparsityAllocation.Lamp || spec.Method is PruningMethod.None or PruningMethod.Magnitude or PruningMethod.Gradient or PruningMethod.L1 or PruningMethod.L2, withMethod + " (lamp ranks single weights across layers; n:m and channel prune every layer alike)", "allocation");
        NoEffectUnless(context, r, spec.Allocation != SparsityAllocation.Lamp, "with pruning.allocation lamp, which ranks every layer's weights together", "scope");
        NoEffectUnless(context, r, spec.TargetSparsity?.IsMax == true, "unless pruning.target_sparsity is max", "max_trials");
        NoEffectUnless(context, r, spec.Method != PruningMethod.None, withMethod, "scope", "min_layer_sparsity", "max_layer_sparsity", "allocation", "include", "exclude", "protect_first_last", "schedule");
    }

    private static void NoEffectUnless(SpecContext context, SectionReader r, bool applies, string because, params string[] keys)
    {
        if (applies)
        {
            return;
        }

        foreach (var key in keys.Where(r.Has))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), because));
        }
    }
}
