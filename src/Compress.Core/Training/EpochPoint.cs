namespace Compress.Training;

/// <summary>
/// One epoch of fine-tuning as the loop measured it (the report's schedule is made from these in the pipeline).
/// </summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Sparsity">The pruning hook's sparsity at the end of the epoch: the fraction of prunable weights that are zero.</param>
/// <param name="Loss">The mean training loss over the epoch's steps (0 when the epoch had none).</param>
/// <param name="ValidationAccuracy">Accuracy (fraction) on the validation data after the epoch, measured by the executor.</param>
public sealed record EpochPoint(int Epoch, double Sparsity, double Loss, double ValidationAccuracy);
