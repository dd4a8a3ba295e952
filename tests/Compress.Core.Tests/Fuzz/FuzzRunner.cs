using System.Diagnostics;
using System.Globalization;

namespace Compress.Fuzz;

/// <summary>A case that broke the invariant: enough to replay it (<see cref="FuzzRunner.Replay"/>) and to read what happened.</summary>
/// <param name="Index">The case's index in its run.</param>
/// <param name="CaseSeed">The seed that recreates its input.</param>
/// <param name="Mutation">What was done to which seed.</param>
/// <param name="Problem">The exception (type, message, innermost frame) or the allocation that broke the bound.</param>
public sealed record FuzzFailure(int Index, int CaseSeed, string Mutation, string Problem);

/// <summary>The outcome of a fuzz run of one target.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Cases">Inputs tried.</param>
/// <param name="Successes">Inputs the reader accepted.</param>
/// <param name="Codes">How often each diagnostic code was the first one of a rejected input.</param>
/// <param name="Failures">Inputs that broke the invariant (any other exception, or too much allocated).</param>
/// <param name="Elapsed">Wall time of the run (mutation included).</param>
/// <param name="PeakAllocatedBytes">The most managed memory one case allocated.</param>
/// <param name="PeakCaseSeed">The seed of that case (to replay it).</param>
public sealed record FuzzReport(string Target, int Cases, int Successes, IReadOnlyDictionary<string, int> Codes, IReadOnlyList<FuzzFailure> Failures, TimeSpan Elapsed, long PeakAllocatedBytes, int PeakCaseSeed)
{
    /// <summary>The failures as lines for a test message or the bench log.</summary>
    public string Describe() => string.Join('\n', Failures.Select(f => string.Create(CultureInfo.InvariantCulture,
        $"{Target} case {f.Index} (seed {f.CaseSeed}): {f.Mutation} -> {f.Problem}")));
}

/// <summary>
/// Runs a <see cref="FuzzTarget"/> on <see cref="Mutator"/>-made inputs and checks the invariant on each: success, or
/// a <c>CompressException</c> whose diagnostics carry CMPnnnn codes, and no more than a bounded amount of managed
/// memory allocated (on the thread that runs the reader: every reader fuzzed is single-threaded).
/// </summary>
public static class FuzzRunner
{
    /// <summary>The most managed memory one case may allocate (a length blow-up that allocates gigabytes breaks it).</summary>
    public const long MaxAllocatedBytesPerCase = 256L << 20;

    /// <summary>Runs <paramref name="cases"/> cases seeded from <paramref name="runSeed"/>; keeps at most <paramref name="maxFailures"/> failures.</summary>
    public static FuzzReport Run(FuzzTarget target, int runSeed, int cases, int maxFailures = 20)
    {
        ArgumentNullException.ThrowIfNull(target);
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<FuzzFailure>();
        var successes = 0;
        long peak = 0;
        var peakSeed = 0;
        var watch = Stopwatch.StartNew();
        var done = 0;
        for (var index = 0; index < cases; index++, done++)
        {
            var caseSeed = Mutator.CaseSeed(runSeed, index);
            var mutation = Mutator.Mutate(target.Seeds, caseSeed, target.Kind);
            // This thread's count: the process-wide one counts the other test classes running in parallel, and its
            // imprecise form lags until a full GC, so it can miss even one 256 MB array (seen on CI).
            var before = GC.GetAllocatedBytesForCurrentThread();
            string? problem = null;
            try
            {
                var code = target.Run(mutation.Bytes);
                if (code is null)
                {
                    successes++;
                }
                else
                {
                    codes[code] = codes.GetValueOrDefault(code) + 1;
                }
            }
            catch (Exception e)
            {
                // The innermost frame of our own code says more than a runtime helper (ThrowOverflowException...).
                var frames = new StackTrace(e, false).GetFrames().Select(f => f.GetMethod()).ToList();
                var thrower = frames.FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Compress", StringComparison.Ordinal) == true) ?? frames.FirstOrDefault();
                problem = $"{e.GetType().FullName}: {e.Message} at {thrower?.DeclaringType?.FullName}.{thrower?.Name}";
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > peak)
            {
                peak = allocated;
                peakSeed = caseSeed;
            }

            if (problem is null && allocated > MaxAllocatedBytesPerCase)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"allocated {allocated / (1 << 20)} MB (bound {MaxAllocatedBytesPerCase >> 20} MB)");
            }

            if (problem is not null && failures.Count < maxFailures)
            {
                failures.Add(new FuzzFailure(index, caseSeed, $"{target.SeedNames[mutation.SeedIndex]}: {mutation.Description}", problem));
            }
            else if (problem is not null)
            {
                failures.Add(new FuzzFailure(index, caseSeed, "(further failures not kept)", problem));
                done++;
                break;
            }
        }

        return new FuzzReport(target.Name, done, successes, codes, failures, watch.Elapsed, peak, peakSeed);
    }

    /// <summary>The input of case seed <paramref name="caseSeed"/> of <paramref name="target"/> (from a failure message), to replay under a debugger.</summary>
    public static Mutation Replay(FuzzTarget target, int caseSeed)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Mutator.Mutate(target.Seeds, caseSeed, target.Kind);
    }
}
