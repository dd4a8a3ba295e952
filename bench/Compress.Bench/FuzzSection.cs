using System.Diagnostics;
using System.Text;
using Compress.Fuzz;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Long fuzz runs of the four readers of untrusted input (ONNX models, WAV, compress.yaml, .npy headers) with the
/// mutation engine and targets of the fuzz tests (tests/Compress.Core.Tests/Fuzz, linked into this project):
/// <see cref="BenchArguments.FuzzCases"/> cases per format. Every case must succeed or be rejected with CMPnnnn
/// diagnostics; anything else is listed with the case seed that replays it and fails the section.
/// </summary>
public static class FuzzSection
{
    /// <summary>Writes fragment 90-fuzz; throws after writing it when a case broke the invariant.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var load = MachineInfo.LoadAverage();
        var scratch = Path.Combine(args.Scratch, "fuzz");
        Directory.CreateDirectory(scratch);
        var reports = new List<(FuzzTarget Target, FuzzReport Report)>();
        foreach (var target in FuzzTargets.All(args.Repository, scratch))
        {
            var report = FuzzRunner.Run(target, args.FuzzSeed, args.FuzzCases, maxFailures: 50);
            reports.Add((target, report));
            log.WriteLine(F($"fuzz {target.Name}: {report.Cases} cases, {report.Successes} accepted, {report.Failures.Count} other exceptions, {report.Elapsed.TotalSeconds:0.0} s; peak {report.PeakAllocatedBytes >> 20} MB in seed {report.PeakCaseSeed}: {FuzzRunner.Replay(target, report.PeakCaseSeed).Description}"));
            if (report.Failures.Count > 0)
            {
                log.WriteLine(report.Describe());
            }
        }

        var sb = new StringBuilder();
        sb.AppendLine("## 9. Fuzzing the readers of untrusted input");
        sb.AppendLine();
        sb.AppendLine(F($"{args.FuzzCases} mutated inputs per format (run seed {args.FuzzSeed}, `--fuzz-seed`; one process, Release build, one thread), each made from one seed file by one to four mutations: bit flips, boundary bytes (0x00, 0xFF, 0x7F, 0x80), truncation, splicing from itself or another seed, duplication of a slice, little-endian 32-bit sizes and protobuf varints (found by walking the message) replaced with huge values; for compress.yaml also deep flow and block nesting, long scalars, alias bombs, line deletion, duplication and swaps, tabs and YAML punctuation. The invariant: the reader succeeds or throws `CompressException` whose diagnostics all have a `CMPnnnn` code, and no case allocates more than {FuzzRunner.MaxAllocatedBytesPerCase >> 20} MB of managed memory. *onnx* is `OnnxModelIO.Load` followed by `PrunableWeights.Prepare` (what `run` and `validate` do next); *wav* is `WavReader.Read` over a memory stream; *yaml* is `SpecParser.ParseText`; *npy* is `NpyHeader.Read` (each input written to one scratch file). Codes are the first diagnostic of each rejected input. Time includes making the mutations; peak allocation is the most one case allocated (`GC.GetAllocatedBytesForCurrentThread` on the reader's thread)."));
        sb.AppendLine();
        sb.AppendLine(F($"Command: `{args.CommandLine}`; CPU: {MachineInfo.Cpu()} ({Environment.ProcessorCount} logical CPUs, shared: load average {load} when the section started, so times and cases/s are rough)."));
        sb.AppendLine();
        sb.AppendLine("| format | seeds | cases | accepted | coded errors | top codes (count) | other exceptions | time s | cases/s | peak allocation per case |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach (var (target, r) in reports)
        {
            var coded = r.Codes.Values.Sum();
            var top = string.Join(", ", r.Codes.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(5).Select(c => F($"{c.Key} ({c.Value})")));
            sb.AppendLine(F($"| {target.Name} | {target.Seeds.Count} | {r.Cases} | {r.Successes} | {coded} | {top} | {r.Failures.Count} | {r.Elapsed.TotalSeconds:0.0} | {r.Cases / r.Elapsed.TotalSeconds:0} | {Size(r.PeakAllocatedBytes)} |"));
        }

        sb.AppendLine();
        sb.AppendLine("Seeds: " + string.Join("; ", reports.Select(p => F($"*{p.Target.Name}*: {string.Join(", ", p.Target.SeedNames.Select(n => $"`{n}`"))}"))) + ".");
        sb.AppendLine();
        var failures = reports.SelectMany(p => p.Report.Failures.Select(f => (p.Report.Target, Failure: f))).ToList();
        if (failures.Count == 0)
        {
            sb.AppendLine("Other exceptions: **none** — every case succeeded or was rejected with a coded diagnostic.");
        }
        else
        {
            sb.AppendLine(F($"Other exceptions: **{failures.Count}** (replay with `FuzzRunner.Replay(target, seed)`, e.g. in a test with `FuzzTargets.All(repository, scratch)`):"));
            sb.AppendLine();
            foreach (var (target, f) in failures)
            {
                sb.AppendLine(F($"- {target} case {f.Index}, seed {f.CaseSeed}: {f.Mutation} → `{f.Problem}`"));
            }
        }

        Write(args, "90-fuzz", sb.ToString(), watch.Elapsed.TotalSeconds);
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(F($"fuzz: {failures.Count} case(s) broke the invariant; see {Path.Combine(args.Results, "90-fuzz.md")}"));
        }
    }

    private static string Size(long bytes) => bytes >= 1 << 20 ? F($"{bytes / (double)(1 << 20):0.0} MB") : F($"{bytes / 1024.0:0} KB");
}
