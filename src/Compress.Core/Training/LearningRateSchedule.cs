namespace Compress.Training;

/// <summary>
/// The learning rate at an optimizer step (0-based, per step, not per epoch): linear warmup from 0 over
/// <see cref="FineTuneOptions.WarmupEpochs"/>, then constant, cosine decay to 0 at the last step, step decay by
/// <see cref="FineTuneOptions.StepGamma"/> every <see cref="FineTuneOptions.StepEpochs"/> epochs, or constant until the
/// final sparsity and cosine decay from there (<see cref="LrScheduleKind.CosineAfterPruning"/>).
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate for <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    /// <param name="finalSparsityFrom">The first step that ran at the final sparsity, or null while the schedule is still
    /// pruning (only <see cref="LrScheduleKind.CosineAfterPruning"/> reads it).</param>
    public static double At(FineTuneOptions options, int step, int stepsPerEpoch, int totalSteps, int? finalSparsityFrom = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warmup = options.WarmupEpochs * stepsPerEpoch;
        if (step < warmup)
        {
            return options.LearningRate * (step + 1) / warmup;
        }

        var span = Math.Max(1, totalSteps - warmup);
        return options.LrSchedule switch
        {
            LrScheduleKind.Constant => options.LearningRate,
            LrScheduleKind.Cosine => options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / span)),
            LrScheduleKind.Step => options.LearningRate * Math.Pow(options.StepGamma, (step / Math.Max(1, stepsPerEpoch)) / Math.Max(1, options.StepEpochs)),
            LrScheduleKind.CosineAfterPruning => finalSparsityFrom is not { } from
                ? options.LearningRate
                : options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - Math.Max(from, warmup)) / Math.Max(1, totalSteps - Math.Max(from, warmup)))),
        };
    }
}
