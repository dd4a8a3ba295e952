using Compress.Pruning;
using Compress.Pruning.Schedules;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// The sparsity schedules checked against their definitions (Zhu &amp; Gupta 2017 for the polynomial one), not
/// against a copy of the formula: where they start, where they end, when they update, that they never go back,
/// and the cubic curve at points worked out by hand.
/// </summary>
public sealed class ScheduleTests
{
    /// <summary>Every step's target in order, from 0 to a few steps past the end.</summary>
    private static List<(int Step, double Target)> Targets(SparsitySchedule s, int steps) =>
        Enumerable.Range(0, steps).Select(t => (t, s.TargetAt(t))).Where(p => p.Item2 is not null).Select(p => (p.t, p.Item2!.Value)).ToList();

    [Fact]
    public void Polynomial_StartsAtTheInitialSparsityAtTheBeginStep_AndPrunesNothingBefore()
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Polynomial, InitialSparsity: 0.1, BeginEpoch: 1, EndEpoch: 5, FrequencySteps: 10), 0.9, epochs: 6, stepsPerEpoch: 10);

        Assert.All(Enumerable.Range(0, 10), t => Assert.Null(s.TargetAt(t)));
        Assert.Equal(0.1, s.TargetAt(10)!.Value, 12);
    }

    [Fact]
    public void Polynomial_ReachesTheTargetExactlyAtTheEndStep_AndStaysThere()
    {
        // End step 50 is not a frequency step (begin 10, every 15: 10, 25, 40); the end is reached anyway.
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Polynomial, BeginEpoch: 1, EndEpoch: 5, FrequencySteps: 15), 0.9, epochs: 8, stepsPerEpoch: 10);

        Assert.Equal(50, s.FinalStep);
        Assert.Equal(0.9, s.TargetAt(50));
        Assert.All(Targets(s, 80).Where(p => p.Step >= 50), p => Assert.Equal(0.9, p.Target));
        Assert.All(Targets(s, 80).Where(p => p.Step < 50), p => Assert.True(p.Target < 0.9, $"step {p.Step}: {p.Target}"));
    }

    [Fact]
    public void Polynomial_UpdatesOnlyEveryFrequencySteps_AndAtTheEnd()
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Polynomial, BeginEpoch: 1, EndEpoch: 5, FrequencySteps: 15), 0.9, epochs: 6, stepsPerEpoch: 10);

        Assert.Equal([10, 25, 40, 50], Targets(s, 51).Select(p => p.Step));
    }

    [Theory]
    [InlineData(0.0, 0.8, 1)]
    [InlineData(0.1, 0.9, 7)]
    [InlineData(0.5, 0.95, 1)]
    public void Polynomial_NeverLowersTheSparsity(double initial, double final, int frequency)
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Polynomial, InitialSparsity: initial, BeginEpoch: 1, EndEpoch: 7, FrequencySteps: frequency), final, epochs: 9, stepsPerEpoch: 13);

        var targets = Targets(s, 9 * 13).Select(p => p.Target).ToList();
        Assert.True(targets.Count > 2);
        Assert.All(targets.Zip(targets.Skip(1)), p => Assert.True(p.Second >= p.First, $"{p.First} then {p.Second}"));
        Assert.Equal(initial, targets[0], 12);
        Assert.Equal(final, targets[^1]);
    }

    /// <summary>
    /// s_t = s_f·(1 − (1 − t/n)³) for s_i = 0, s_f = 0.8 over n = 100 steps, worked out by hand:
    /// (1 − 0.1)³ = 0.729, (1 − 0.2)³ = 0.512, (1 − 0.5)³ = 0.125, (1 − 0.9)³ = 0.001.
    /// Most of the pruning happens early, when the network has the most redundant weights.
    /// </summary>
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(10, 0.2168)]
    [InlineData(20, 0.3904)]
    [InlineData(50, 0.7)]
    [InlineData(90, 0.7992)]
    [InlineData(100, 0.8)]
    public void Polynomial_IsTheCubicOfZhuAndGupta(int step, double expected)
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Polynomial, BeginEpoch: 0, EndEpoch: 4, FrequencySteps: 10), 0.8, epochs: 5, stepsPerEpoch: 25);

        Assert.Equal(expected, s.TargetAt(step)!.Value, 12);
    }

    [Fact]
    public void OneShot_PrunesToTheTargetOnceAtTheBeginStep()
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.OneShot, BeginEpoch: 2), 0.7, epochs: 4, stepsPerEpoch: 5);

        Assert.Equal([(10, 0.7)], Targets(s, 20));
        Assert.Equal(10, s.FinalStep);
    }

    [Fact]
    public void Iterative_RemovesTheSameFractionOfTheRemainingWeightsEachRound()
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Iterative, Rounds: 3), 0.875, epochs: 6, stepsPerEpoch: 5);

        // Keeping half of what is left each round: 1/2, 1/4, 1/8 of the weights remain.
        Assert.Equal([(0, 0.5), (10, 0.75), (20, 0.875)], Targets(s, 30).Select(p => (p.Step, Math.Round(p.Target, 12))));
        Assert.Equal(20, s.FinalStep);
    }

    [Fact]
    public void Iterative_EndsExactlyAtTheTarget_KeepingTheSameShareOfTheSurvivorsEachRound()
    {
        var s = SparsitySchedule.Create(new ScheduleOptions(ScheduleKind.Iterative, BeginEpoch: 1, Rounds: 4), 0.9, epochs: 9, stepsPerEpoch: 3);

        var targets = Targets(s, 27);
        Assert.Equal([3, 9, 15, 21], targets.Select(p => p.Step)); // rounds every 2 epochs from epoch 1
        Assert.Equal(0.9, targets[^1].Target);
        var kept = targets.Select(p => 1 - p.Target).Prepend(1.0).ToList();
        var shares = kept.Zip(kept.Skip(1), (before, after) => after / before).ToList();
        Assert.All(shares, share => Assert.Equal(shares[0], share, 9));
    }
}
