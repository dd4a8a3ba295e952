using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// What pruning plugs into the fine-tune loop. The loop calls, per optimizer step t (0-based over all epochs):
/// <see cref="BeforeStep"/> (may prune), adds <see cref="Penalty"/> to the loss, runs backward, calls
/// <see cref="BeforeOptimizerStep"/> (masks gradients), steps the optimizer, then <see cref="AfterOptimizerStep"/>
/// (re-applies masks). <see cref="Finish"/> runs after the last step.
/// </summary>
public interface ITrainingHook : IDisposable
{
    /// <summary>Fraction of the eligible weights that are pruned now.</summary>
    double Sparsity { get; }

    /// <summary>True once the final sparsity is in place (early stopping only compares such epochs).</summary>
    bool AtFinalSparsity { get; }

    /// <summary>Called before step <paramref name="step"/> of epoch <paramref name="epoch"/> (0-based).</summary>
    void BeforeStep(int step, int epoch);

    /// <summary>A term added to the loss at this step (regularisation), or null.</summary>
    Tensor? Penalty(int epoch);

    /// <summary>Called after backward, before the optimizer step.</summary>
    void BeforeOptimizerStep();

    /// <summary>Called after the optimizer step.</summary>
    void AfterOptimizerStep();

    /// <summary>Called once after training.</summary>
    void Finish();
}

/// <summary>The hook of <c>method: none</c>: nothing is pruned.</summary>
public sealed class NoPruningHook : ITrainingHook
{
    /// <inheritdoc />
    public double Sparsity => 0;

    /// <inheritdoc />
    public bool AtFinalSparsity => true;

    /// <inheritdoc />
    public void BeforeStep(int step, int epoch)
    {
    }

    /// <inheritdoc />
    public Tensor? Penalty(int epoch) => null;

    /// <inheritdoc />
    public void BeforeOptimizerStep()
    {
    }

    /// <inheritdoc />
    public void AfterOptimizerStep()
    {
    }

    /// <inheritdoc />
    public void Finish()
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
