namespace Compress.Pruning.Schedules;

/// <summary>
/// When to prune and to which sparsity, in optimizer steps (0-based, counted over all epochs).
/// <see cref="TargetAt"/> returns the sparsity to prune to before step t runs, or null to leave the masks alone;
/// <see cref="Final"/> is enforced once more after the last step so the end state is exact even with 0 epochs.
/// </summary>
public abstract class SparsitySchedule
{
    /// <summary>The final sparsity s_f (fraction of eligible weights).</summary>
    public double Final { get; init; }

    /// <summary>The step from which the schedule is at <see cref="Final"/>.</summary>
    public int FinalStep { get; init; }

    /// <summary>The sparsity to prune to before step <paramref name="step"/>, or null.</summary>
    public abstract double? TargetAt(int step);

    /// <summary>Builds the schedule of <paramref name="options"/> for a run of <paramref name="epochs"/> × <paramref name="stepsPerEpoch"/> steps.</summary>
    /// <param name="firstEpoch">Epoch before which nothing is pruned (the L1/L2 regularisation phase ends there).</param>
    public static SparsitySchedule Create(ScheduleOptions? options, double final, int epochs, int stepsPerEpoch, int firstEpoch = 0)
    {
        options ??= new ScheduleOptions();
        var begin = Math.Clamp(Math.Max(options.BeginEpoch, firstEpoch), 0, epochs);
        var end = Math.Clamp(options.EndEpoch ?? (int)Math.Round(epochs * 0.75, MidpointRounding.AwayFromZero), Math.Min(begin + 1, epochs), epochs);
        var beginStep = begin * stepsPerEpoch;
        var endStep = end * stepsPerEpoch;
        return options.Kind switch
        {
            ScheduleKind.OneShot => new OneShotSchedule { Final = final, FinalStep = beginStep },
            ScheduleKind.Polynomial => new PolynomialSchedule(options.InitialSparsity, beginStep, endStep, Math.Max(1, options.FrequencySteps), options.Power) { Final = final, FinalStep = endStep },
            ScheduleKind.Iterative => IterativeSchedule.Create(final, options.Rounds, begin, epochs, stepsPerEpoch),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, null),
        };
    }
}

/// <summary>Prunes to the final sparsity once, at <see cref="SparsitySchedule.FinalStep"/>.</summary>
public sealed class OneShotSchedule : SparsitySchedule
{
    /// <inheritdoc />
    public override double? TargetAt(int step) => step == FinalStep ? Final : null;
}

/// <summary>
/// Zhu &amp; Gupta (2017): s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(t_end − t₀))^power at t₀, t₀ + Δt, ... and s_f from
/// t_end on (t in steps).
/// </summary>
public sealed class PolynomialSchedule(double initial, int beginStep, int endStep, int frequency, double power) : SparsitySchedule
{
    /// <summary>The sparsity of the curve at step t (without the update frequency).</summary>
    public double Curve(int step)
    {
        if (step >= endStep || endStep <= beginStep)
        {
            return Final;
        }

        var progress = Math.Clamp((double)(step - beginStep) / (endStep - beginStep), 0, 1);
        return Final + ((initial - Final) * Math.Pow(1 - progress, power));
    }

    /// <inheritdoc />
    public override double? TargetAt(int step) =>
        step < beginStep ? null
        : step >= endStep ? (step == endStep || (step - beginStep) % frequency == 0 ? Final : null)
        : (step - beginStep) % frequency == 0 ? Curve(step) : null;
}

/// <summary>
/// k rounds of prune → fine-tune: round r (1..k) starts at epoch begin + ⌊(r − 1)·(epochs − begin)/k⌋ and prunes to
/// 1 − (1 − s_f)^(r/k), so each round removes the same fraction of the weights still present.
/// </summary>
public sealed class IterativeSchedule : SparsitySchedule
{
    private readonly Dictionary<int, double> _rounds = [];

    /// <summary>The rounds as (start step, sparsity).</summary>
    public IReadOnlyDictionary<int, double> Rounds => _rounds;

    internal static IterativeSchedule Create(double final, int rounds, int begin, int epochs, int stepsPerEpoch)
    {
        rounds = Math.Max(1, rounds);
        var schedule = new IterativeSchedule { Final = final, FinalStep = (begin + ((rounds - 1) * (epochs - begin) / rounds)) * stepsPerEpoch };
        for (var r = 1; r <= rounds; r++)
        {
            var step = (begin + ((r - 1) * (epochs - begin) / rounds)) * stepsPerEpoch;
            schedule._rounds[step] = r == rounds ? final : 1 - Math.Pow(1 - final, (double)r / rounds);
        }

        return schedule;
    }

    /// <inheritdoc />
    public override double? TargetAt(int step) => _rounds.TryGetValue(step, out var s) ? s : null;
}
