using System.Text;
using Compress.Fuzz;
using Compress.Spec;
using Compress.Tests.Shared;

namespace Compress.Core.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of the readers of untrusted input: every mutated ONNX model, WAV file, compress.yaml and .npy
/// header is either accepted or rejected with CMPnnnn diagnostics, never another exception, and no case allocates
/// more than <see cref="FuzzRunner.MaxAllocatedBytesPerCase"/>. A failure names the case seed; replay it with
/// <see cref="FuzzRunner.Replay"/>. The bench's <c>fuzz</c> section runs the same targets with many more cases.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private const int RunSeed = 20261206;
    private const int CasesPerTarget = 300;

    private readonly string _scratch = Directory.CreateTempSubdirectory("compress-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("onnx")]
    [InlineData("wav")]
    [InlineData("yaml")]
    [InlineData("npy")]
    public void Fuzz_EveryCaseSucceedsOrReportsACode(string name)
    {
        var target = Target(name);

        var report = FuzzRunner.Run(target, RunSeed, CasesPerTarget);

        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} case(s) broke the invariant (replay with FuzzRunner.Replay(target, seed)):\n{report.Describe()}");
        Assert.Equal(CasesPerTarget, report.Cases);
        // Mutations that are all rejected (or all accepted) would test one path only: both outcomes must occur.
        Assert.True(report.Successes > 0 && report.Codes.Count > 0, $"{name}: {report.Successes} successes, codes {string.Join(", ", report.Codes)}");
    }

    [Fact]
    public void Fuzz_WavFromANonSeekableStream_SucceedsOrReportsACode()
    {
        var report = FuzzRunner.Run(FuzzTargets.WavPipe(PackagedTool.RepositoryRoot), RunSeed, CasesPerTarget);

        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} case(s) broke the invariant:\n{report.Describe()}");
    }

    [Theory]
    [InlineData("onnx")]
    [InlineData("wav")]
    [InlineData("yaml")]
    [InlineData("npy")]
    public void Fuzz_SeedsThemselvesAreAccepted(string name)
    {
        var target = Target(name);

        foreach (var (seed, i) in target.Seeds.Select((s, i) => (s, i)))
        {
            Assert.True(target.Run(seed) is null, $"{name} seed {target.SeedNames[i]} is rejected: {target.Run(seed)}");
        }
    }

    [Fact]
    public void Fuzz_MutatorIsDeterministic()
    {
        foreach (var target in FuzzTargets.All(PackagedTool.RepositoryRoot, _scratch))
        {
            for (var index = 0; index < 50; index++)
            {
                var seed = Mutator.CaseSeed(RunSeed, index);
                var first = Mutator.Mutate(target.Seeds, seed, target.Kind);
                var second = Mutator.Mutate(target.Seeds, seed, target.Kind);

                Assert.Equal(first.Bytes, second.Bytes);
                Assert.Equal(first.Description, second.Description);
                Assert.Equal(first.SeedIndex, second.SeedIndex);
            }
        }
    }

    [Fact]
    public void Fuzz_MutationsChangeTheInput()
    {
        foreach (var target in FuzzTargets.All(PackagedTool.RepositoryRoot, _scratch))
        {
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            var changed = 0;
            const int cases = 200;
            for (var index = 0; index < cases; index++)
            {
                var mutation = Mutator.Mutate(target.Seeds, Mutator.CaseSeed(RunSeed, index), target.Kind);
                changed += mutation.Bytes.AsSpan().SequenceEqual(target.Seeds[mutation.SeedIndex]) ? 0 : 1;
                distinct.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(mutation.Bytes)));
            }

            Assert.True(changed >= cases * 95 / 100, $"{target.Name}: only {changed} of {cases} mutations changed their seed");
            Assert.True(distinct.Count >= cases * 90 / 100, $"{target.Name}: only {distinct.Count} distinct inputs of {cases}");
        }
    }

    [Fact]
    public void Fuzz_RunnerReportsAnExceptionThatIsNotACodedDiagnostic()
    {
        // A reader with the classic bug (trusts a length field) must be caught, with a seed that replays it.
        var buggy = new FuzzTarget("buggy", InputKind.Binary, ["16 bytes"], [new byte[16]], bytes => FuzzTargets.Classify(() =>
        {
            var buffer = new byte[16];
            Array.Copy(bytes, 0, buffer, 0, bytes.Length);
        }));

        var report = FuzzRunner.Run(buggy, RunSeed, 200);

        Assert.NotEmpty(report.Failures);
        var failure = report.Failures[0];
        Assert.Contains("ArgumentException", failure.Problem, StringComparison.Ordinal);
        Assert.True(FuzzRunner.Replay(buggy, failure.CaseSeed).Bytes.Length > 16);
    }

    [Fact]
    public void Fuzz_RunnerReportsACaseThatAllocatesTooMuch()
    {
        var greedy = new FuzzTarget("greedy", InputKind.Binary, ["4 bytes"], [[1, 0, 0, 0]], bytes => FuzzTargets.Classify(() =>
        {
            GC.KeepAlive(new byte[FuzzRunner.MaxAllocatedBytesPerCase + 1]);
        }));

        var report = FuzzRunner.Run(greedy, RunSeed, 1);

        Assert.Single(report.Failures);
        Assert.Contains("allocated", report.Failures[0].Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(65, "CMP1051")]
    [InlineData(10_000, "CMP1051")]
    [InlineData(1_000_000, "CMP1051")]
    public void Fuzz_DeepFlowNestingIsADiagnosticNotAStackOverflow(int depth, string code)
    {
        foreach (var (open, close) in new[] { ("[", "]"), ("{a: ", "}") })
        {
            var yaml = "model: m.onnx\ndeep: " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";

            Assert.Equal(depth >= 1_000_000 ? "CMP1050" : code, FirstCode(yaml));
        }
    }

    [Theory]
    [InlineData(65)]
    [InlineData(1_000)]
    public void Fuzz_DeepBlockNestingIsADiagnosticNotAStackOverflow(int depth)
    {
        var sequence = new StringBuilder("model: m.onnx\ndeep:\n");
        var mapping = new StringBuilder("model: m.onnx\ndeep:\n");
        for (var d = 1; d <= depth; d++)
        {
            sequence.Append(' ', d).Append("-\n");
            mapping.Append(' ', d).Append("k:\n");
        }

        Assert.Equal("CMP1051", FirstCode(sequence.ToString()));
        Assert.Equal("CMP1051", FirstCode(mapping.ToString()));
    }

    [Fact]
    public void Fuzz_AliasBombsAreADiagnostic()
    {
        var bomb = new StringBuilder("model: m.onnx\nb0: &a0 [lol, lol]\n");
        for (var l = 1; l < 12; l++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"b{l}: &a{l} [*a{l - 1}, *a{l - 1}, *a{l - 1}]\n");
        }

        Assert.Equal("CMP1052", FirstCode(bomb.ToString()));
        Assert.NotNull(FirstCode("model: m.onnx\nself: &s [*s, *s]\n"));
    }

    private static string? FirstCode(string yaml) =>
        FuzzTargets.Classify(() =>
        {
            var result = SpecParser.ParseText(yaml, "fuzz.yaml");
            if (!result.Succeeded)
            {
                throw new Compress.Diagnostics.CompressException(result.Diagnostics);
            }
        });

    private FuzzTarget Target(string name) => FuzzTargets.All(PackagedTool.RepositoryRoot, _scratch).Single(t => t.Name == name);
}
