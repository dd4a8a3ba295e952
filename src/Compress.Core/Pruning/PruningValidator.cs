using System.Globalization;
using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Compress.Pruning.Pruners;
using Compress.Training;

namespace Compress.Pruning;

/// <summary>Checks pruning and fine-tuning options against a model before any training (CMP4002–CMP4004).</summary>
public static class PruningValidator
{
    /// <summary>Every problem with <paramref name="options"/> for <paramref name="model"/>; empty when training can start.</summary>
    public static IReadOnlyList<Diagnostic> Validate(ModelProto model, PruningOptions options) =>
        Validate(model, options, () => Dependency.DependencyGraph.Build(model, options));

    /// <summary>
    /// As <see cref="Validate(ModelProto, PruningOptions)"/>, with the channel dependency graph from
    /// <paramref name="dependencies"/> (called only for channel pruning), so a caller that keeps the graph builds it once.
    /// </summary>
    internal static IReadOnlyList<Diagnostic> Validate(ModelProto model, PruningOptions options, Func<Dependency.DependencyGraph> dependencies)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dependencies);
        var problems = new List<Diagnostic>();
        void Range(string name, double value, double low, double high, bool highInclusive = true)
        {
            if (!(value >= low && (highInclusive ? value <= high : value < high)))
            {
                problems.Add(TrainingMessages.InvalidOption(name, string.Create(CultureInfo.InvariantCulture, $"{value} is outside [{low}, {high}{(highInclusive ? "]" : ")")}")));
            }
        }

        Range("target_sparsity", options.TargetSparsity, 0, 1, highInclusive: false);
        Range("min_layer_sparsity", options.MinLayerSparsity, 0, 1, highInclusive: false);
        Range("max_layer_sparsity", options.MaxLayerSparsity, 0, 1);
        Range("sensitivity_band", options.SensitivityBand, 0, 1);
        if (options.MinLayerSparsity > options.MaxLayerSparsity)
        {
            problems.Add(TrainingMessages.InvalidOption("min_layer_sparsity", "is above max_layer_sparsity"));
        }

        if (options.Method != PruningMethod.NM && options.TargetSparsity >= 0 && options.MinLayerSparsity > options.TargetSparsity)
        {
            problems.Add(TrainingMessages.InvalidOption("min_layer_sparsity", "is above target_sparsity, so every layer would be pruned beyond the target"));
        }

        if (options.RoundTo < 1)
        {
            problems.Add(TrainingMessages.InvalidOption("round_to", "must be at least 1"));
        }

        if (options.GradientBatches < 1)
        {
            problems.Add(TrainingMessages.InvalidOption("gradient_batches", "must be at least 1"));
        }

        if (options.RegularizationLambda < 0 || options.RegularizationEpochs < 0)
        {
            problems.Add(TrainingMessages.InvalidOption("regularization", "lambda and epochs must not be negative"));
        }

        if (options.Method == PruningMethod.NM && !(options.N >= 1 && options.N < options.M))
        {
            problems.Add(TrainingMessages.InvalidOption("n:m", $"needs 1 <= n < m (got {options.N}:{options.M})"));
        }

        if (options.Schedule is { } s)
        {
            if (s.FrequencySteps < 1)
            {
                problems.Add(TrainingMessages.InvalidOption("schedule.frequency", "must be at least 1 step"));
            }

            if (s.Rounds < 1)
            {
                problems.Add(TrainingMessages.InvalidOption("schedule.rounds", "must be at least 1"));
            }

            if (s.Power <= 0)
            {
                problems.Add(TrainingMessages.InvalidOption("schedule.power", "must be positive"));
            }

            if (s.BeginEpoch < 0 || s.EndEpoch < s.BeginEpoch)
            {
                problems.Add(TrainingMessages.InvalidOption("schedule.begin/end", "need 0 <= begin <= end"));
            }

            Range("schedule.initial_sparsity", s.InitialSparsity, 0, Math.Max(0, options.TargetSparsity));
        }

        if (options.Method == PruningMethod.None || problems.Count > 0)
        {
            return problems;
        }

        var found = PrunableWeights.Find(model, options);
        var eligible = found.Where(t => t.Status == PrunableStatus.Eligible).ToList();
        if (eligible.Count == 0)
        {
            problems.Add(TrainingMessages.NoPrunableWeights(
                options.Method.ToString().ToLowerInvariant(), found.Count, found.Count(t => t.Status == PrunableStatus.Protected), found.Count(t => t.Status == PrunableStatus.Excluded)));
            return problems;
        }

        if (options.Method == PruningMethod.Channel)
        {
            var graph = dependencies();
            if (!graph.Prunable.Any())
            {
                problems.Add(TrainingMessages.NoPrunableChannels([.. graph.Groups.Select(g => g.PinReason ?? "").Distinct()]));
            }

            return problems;
        }

        if (options.Method == PruningMethod.NM)
        {
            return problems;
        }

        var reachable = SparsityAllocator.MaxReachable(eligible.Select(t => t.Elements).ToList(), options.MaxLayerSparsity);
        var target = Math.Round(options.TargetSparsity * eligible.Sum(t => t.Elements), MidpointRounding.AwayFromZero) / eligible.Sum(t => t.Elements);
        if (target > reachable + 1e-12)
        {
            var protectedCount = found.Count(t => t.Status == PrunableStatus.Protected);
            problems.Add(TrainingMessages.TargetUnreachable(
                options.TargetSparsity,
                reachable,
                string.Create(CultureInfo.InvariantCulture, $"max_layer_sparsity {options.MaxLayerSparsity}; {protectedCount} protected and {found.Count(t => t.Status == PrunableStatus.Excluded)} excluded tensors are not counted")));
        }
        else if (options.Allocation == SparsityAllocation.Sensitivity
            && SensitivityBounds.MaxReachable([.. eligible.Select(t => t.Elements)], options) is var banded && target > banded + 1e-12)
        {
            problems.Add(TrainingMessages.TargetUnreachable(
                options.TargetSparsity,
                banded,
                string.Create(CultureInfo.InvariantCulture, $"allocation: sensitivity keeps every layer at most {SensitivityBounds.Band(options).High:0.####} sparse, to one weight: sensitivity_band {options.SensitivityBand}, max_layer_sparsity {options.MaxLayerSparsity}")));
        }

        return problems;
    }

    /// <summary>Every problem with the fine-tuning options.</summary>
    public static IReadOnlyList<Diagnostic> Validate(FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<Diagnostic>();
        void Check(bool ok, string option, string detail)
        {
            if (!ok)
            {
                problems.Add(TrainingMessages.InvalidOption(option, detail));
            }
        }

        Check(options.Epochs >= 0, "fine_tune.epochs", "must not be negative");
        Check(options.BatchSize >= 1, "fine_tune.batch_size", "must be at least 1");
        Check(options.LearningRate > 0 && double.IsFinite(options.LearningRate), "fine_tune.learning_rate", "must be positive");
        Check(options.Momentum is >= 0 and < 1, "fine_tune.momentum", "must be in [0, 1)");
        Check(options.WeightDecay >= 0, "fine_tune.weight_decay", "must not be negative");
        Check(options.WarmupEpochs >= 0, "fine_tune.warmup_epochs", "must not be negative");
        Check(options.StepEpochs >= 1 && options.StepGamma > 0, "fine_tune.step", "step_epochs must be at least 1 and gamma positive");
        Check(options.GradientClip >= 0, "fine_tune.gradient_clip", "must not be negative");
        Check(options.LabelSmoothing is >= 0 and < 1, "fine_tune.label_smoothing", "must be in [0, 1)");
        Check(options.DistillationWeight is >= 0 and <= 1, "fine_tune.distillation.weight", "must be in [0, 1]");
        Check(options.Temperature > 0, "fine_tune.distillation.temperature", "must be positive");
        Check(options.EarlyStopPatience >= 0, "fine_tune.early_stop.patience", "must not be negative");
        Check(options.EarlyStopMetric is "accuracy" or "loss", "fine_tune.early_stop.metric", "must be accuracy or loss");
        Check(options.Threads >= 0, "fine_tune.threads", "must not be negative");
        Check(options.Nesterov == false || (options.Optimizer == OptimizerKind.Sgd && options.Momentum > 0), "fine_tune.nesterov", "needs the sgd optimizer with momentum > 0");
        return problems;
    }
}
