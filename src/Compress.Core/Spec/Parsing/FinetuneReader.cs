using Compress.Diagnostics;
using Compress.Training;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>finetune:</c> with its <c>distillation:</c> and <c>early_stop:</c>.</summary>
internal static class FinetuneReader
{
    public static FinetuneSpec Read(SpecContext context, SectionReader root)
    {
        var r = root.Section("finetune");
        var optimizer = r.Enum("optimizer", FineTuneOptions.DefaultOptimizer);
        var epochs = r.Int("epochs", FineTuneOptions.DefaultEpochs, NumberRange.Closed(1, 10000));
        var spec = new FinetuneSpec
        {
            Epochs = epochs,
            BatchSize = r.Int("batch_size", FineTuneOptions.DefaultBatchSize, NumberRange.Closed(1, 65536)),
            Optimizer = optimizer,
            LearningRate = r.Double("learning_rate", FineTuneOptions.DefaultLearningRate, NumberRange.OpenClosed(0, 10)),
            Momentum = r.Double("momentum", FineTuneOptions.DefaultMomentum, NumberRange.HalfOpen(0, 1)),
            Nesterov = r.Bool("nesterov", FineTuneOptions.DefaultNesterov),
            WeightDecay = r.Double("weight_decay", optimizer == OptimizerKind.AdamW ? FinetuneSpec.DefaultAdamWWeightDecay : FineTuneOptions.DefaultWeightDecay, NumberRange.Closed(0, 1)),
            LrSchedule = r.Enum("lr_schedule", FineTuneOptions.DefaultLrSchedule),
            WarmupEpochs = r.Int("warmup_epochs", FineTuneOptions.DefaultWarmupEpochs, NumberRange.Closed(0, 10000)),
            StepGamma = r.Double("step_gamma", FineTuneOptions.DefaultStepGamma, NumberRange.Open(0, 1)),
            StepEpochs = r.Int("step_epochs", FineTuneOptions.DefaultStepEpochs, NumberRange.Closed(1, 10000)),
            GradientClip = r.OptionalDouble("gradient_clip", NumberRange.Above(0)),
            LabelSmoothing = r.Double("label_smoothing", FineTuneOptions.DefaultLabelSmoothing, NumberRange.HalfOpen(0, 1)),
            InsertBatchNorm = r.Bool("insert_batchnorm", FineTuneOptions.DefaultInsertBatchNorm),
            Distillation = ReadDistillation(r),
            EarlyStop = ReadEarlyStop(r),
            Location = r.Location,
        };
        Check(context, r, spec);
        r.Finish();
        return spec;
    }

    private static void Check(SpecContext context, SectionReader r, FinetuneSpec spec)
    {
        var withOptimizer = $"with finetune.optimizer {SpecNames.Of(spec.Optimizer)}";
        if (spec.Optimizer != OptimizerKind.Sgd)
        {
            foreach (var key in new[] { "momentum", "nesterov" }.Where(r.Has))
            {
                context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), withOptimizer));
            }
        }
        else if (spec.Nesterov && spec.Momentum == 0)
        {
            context.Add(SpecMessages.Contradiction(r.At("nesterov"), "'finetune.nesterov' needs 'finetune.momentum' above 0"));
        }

        if (spec.LrSchedule != LrScheduleKind.Step)
        {
            foreach (var key in new[] { "step_gamma", "step_epochs" }.Where(r.Has))
            {
                context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), $"with finetune.lr_schedule {SpecNames.Of(spec.LrSchedule)}"));
            }
        }

        if (spec.WarmupEpochs >= spec.Epochs && r.Has("warmup_epochs"))
        {
            context.Add(SpecMessages.Contradiction(r.At("warmup_epochs"), $"'finetune.warmup_epochs' ({spec.WarmupEpochs}) must be below 'finetune.epochs' ({spec.Epochs})"));
        }
    }

    private static DistillationSpec? ReadDistillation(SectionReader finetune)
    {
        var present = finetune.Node("distillation") is Yaml.YamlMapping;
        var r = finetune.Section("distillation");
        var spec = new DistillationSpec
        {
            Weight = r.Double("weight", DistillationSpec.DefaultWeight, NumberRange.OpenClosed(0, 1)),
            Temperature = r.Double("temperature", FineTuneOptions.DefaultTemperature, NumberRange.OpenClosed(0, 100)),
            Location = r.Location,
        };
        r.Finish();
        return present ? spec : null;
    }

    private static EarlyStopSpec? ReadEarlyStop(SectionReader finetune)
    {
        var present = finetune.Node("early_stop") is Yaml.YamlMapping;
        var r = finetune.Section("early_stop");
        var spec = new EarlyStopSpec
        {
            Metric = r.Enum("metric", EarlyStopMetric.Accuracy),
            Patience = r.Int("patience", EarlyStopSpec.DefaultPatience, NumberRange.Closed(1, 10000)),
            Location = r.Location,
        };
        r.Finish();
        return present ? spec : null;
    }
}
