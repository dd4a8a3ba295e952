namespace Compress.Pruning;

/// <summary>
/// One point of the sensitivity sweep (<see cref="SensitivityAnalysis"/>): <see cref="Tensor"/> alone pruned by
/// magnitude to <see cref="Sparsity"/> (a fraction of its weights), without fine-tuning, gives
/// <see cref="Accuracy"/> (a fraction) on the validation data, measured by the executor.
/// </summary>
public sealed record SensitivityPoint(string Tensor, double Sparsity, double Accuracy)
{
    /// <summary>The mean validation loss of the trained head at this point (what the allocation compares; <see cref="Training.Evaluator"/>).</summary>
    public double Loss { get; init; }
}
