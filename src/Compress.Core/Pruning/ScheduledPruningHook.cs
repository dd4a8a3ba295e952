using Compress.Pruning.Schedules;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// What every pruning hook does the same way: prune to the schedule's target before a step when it rises, keep the
/// masked weights at exactly zero around every optimizer step (gradients masked before, weights re-masked after, so
/// optimizer state cannot revive them), and reach the final sparsity when training ends. Subclasses choose what to
/// prune in <see cref="PruneTo"/>.
/// </summary>
public abstract class ScheduledPruningHook : ITrainingHook
{
    /// <summary>The masks over the pruned tensors (set by the subclass's constructor).</summary>
    public MaskSet Masks { get; protected init; } = null!;

    /// <summary>When and how far to prune (set by the subclass's constructor).</summary>
    protected SparsitySchedule Schedule { get; init; } = null!;

    /// <inheritdoc />
    public double Sparsity { get; protected set; }

    /// <inheritdoc />
    public bool AtFinalSparsity => Sparsity >= Schedule.Final;

    /// <summary>
    /// The penalty-only epochs before the schedule (L1, L2, group lasso): as asked, but at most <paramref name="epochs"/>
    /// − 2, so the schedule keeps at least one epoch to prune in and one to recover (a phase as long as the budget used
    /// to prune everything after the last step, with nothing left to recover).
    /// </summary>
    public static int RegularizationPhase(int asked, int epochs) => Math.Clamp(asked, 0, Math.Max(0, epochs - 2));

    /// <inheritdoc />
    public void BeforeStep(int step, int epoch)
    {
        if (Schedule.TargetAt(step) is double target && target > Sparsity)
        {
            PruneTo(target);
        }
    }

    /// <inheritdoc />
    public virtual Tensor? Penalty(int epoch) => null;

    /// <inheritdoc />
    public void BeforeOptimizerStep() => Masks.MaskGradients();

    /// <inheritdoc />
    public void AfterOptimizerStep() => Masks.Apply();

    /// <inheritdoc />
    public void Finish()
    {
        if (Sparsity < Schedule.Final)
        {
            PruneTo(Schedule.Final);
        }

        Masks.Apply();
    }

    /// <summary>Prunes to <paramref name="sparsity"/> now and sets <see cref="Sparsity"/>.</summary>
    public abstract void PruneTo(double sparsity);

    /// <inheritdoc />
    public void Dispose()
    {
        Masks.Dispose();
        GC.SuppressFinalize(this);
    }
}
