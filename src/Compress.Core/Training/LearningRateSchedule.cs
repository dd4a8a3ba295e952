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

        // Cosine decay from the base rate at step `start` to 0 at the last step.
        double CosineFrom(int start) => options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - start) / Math.Max(1, totalSteps - start)));
        return options.LrSchedule switch
        {
            LrScheduleKind.Constant => options.LearningRate,
            LrScheduleKind.Cosine => CosineFrom(warmup),
            LrScheduleKind.Step => options.LearningRate * Math.Pow(options.StepGamma, (step / Math.Max(1, stepsPerEpoch)) / Math.Max(1, options.StepEpochs)),
            LrScheduleKind.CosineAfterPruning => finalSparsityFrom is { } from ? CosineFrom(Math.Max(from, warmup)) : options.LearningRate,
        };
    }
}
