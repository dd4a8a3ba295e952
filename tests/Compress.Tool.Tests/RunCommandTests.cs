using Compress.Diagnostics;
using Compress.Pipeline;

namespace Compress.Tool.Tests;

public sealed class RunCommandTests
{
    [Fact]
    public void Run_Success_PrintsOneLinePerStageEpochAndNote_AndExitsZero()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((r, _) => new PipelineResult(PipelineOutcome.Succeeded, [], r.Spec.Output.Path));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Equal(
            $"""
            load       model.onnx
            features   1/5
            features   5/5
            train      epoch 1/2  1/3  loss 0.9000
            train      epoch 2/2  1/3  loss 0.5000  metric 0.875  sparsity 0.400  eta 1:10
            train      libtorch oneDNN was on for fine-tuning (0.4 s)
            export     kws.onnx
            wrote {Path.Combine(ws.Folder, "model.compressed.onnx")}

            """,
            output);
        Assert.Equal(2, runner.Requests.Single().Spec.Finetune.Epochs);
    }

    [Fact]
    public void Run_SuccessWithWarnings_PrintsEveryWarningInCanonicalForm_AndExitsZero()
    {
        using var ws = TestWorkspace.WithSpec();
        var warnings = new[]
        {
            Diagnostic.Warning(DataMessages.BadFilesSkippedCode, "skipped 1 bad file(s) of 9 (on_bad_file: skip)", ws.SpecPath),
            Diagnostic.Warning(TrainingMessages.ChannelsNotPrunableCode, "channels through MatMul are kept", node: "MatMul_5"),
        };
        var runner = new FakeRunner((r, _) => new PipelineResult(PipelineOutcome.Succeeded, warnings, r.Spec.Output.Path));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--no-progress");

        Assert.Equal(0, exit);
        Assert.Equal(
            $"{ws.SpecPath}: warning CMP3105: skipped 1 bad file(s) of 9 (on_bad_file: skip)\ncompress: warning CMP4006: [MatMul_5] channels through MatMul are kept\n",
            error);
    }

    [Fact]
    public void Run_GateFailure_ExitsTwoWithTheCanonicalCmp5001AtTheGateLine()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((r, _) =>
        {
            var gate = r.Spec.Gate!;
            var outcome = gate.ToGate(r.Spec.Features.ClipSeconds).Evaluate(0.871, 0.934, 0.80, gate.Location.ToGateLocation());
            return new PipelineResult(PipelineOutcome.GateFailed, outcome.Failures);
        });

        var (exit, output, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--no-progress");

        Assert.Equal(2, exit);
        Assert.Equal($"{ws.SpecPath}(7,1): error CMP5001: accuracy 0.871 is below min 0.900 (baseline 0.934, sparsity 0.80)\n", error);
        Assert.EndsWith("the accuracy gate failed; the report was written, the model was not\n", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ctrl+C while the real pipeline measures the compressed model — the last stage before it writes the model, the
    /// manifest and the report — exits 130 and leaves none of them; the same run left alone writes all three.
    /// </summary>
    [Fact]
    public void Run_CtrlCAtTheLastStageBeforeWriting_Exits130AndWritesNothing()
    {
        using var ws = TestWorkspace.Separable();
        var outputPath = Path.Combine(ws.Folder, "out.onnx");
        var report = Path.Combine(ws.Folder, "report");
        var manifest = Path.Combine(ws.Folder, "files.json");
        string[] args = ["run", ws.SpecPath, "--output", outputPath, "--report", report, "--manifest", manifest, "-v", "minimal"];
        using var ctrlC = new CancellationTokenSource();
        var cancelled = new CancelAtStage(new CompressPipeline("test"), PipelineStage.Evaluate, ctrlC);

        var (exit, _, error) = CliHarness.Run(CliHarness.With(cancelled), ctrlC.Token, args);

        Assert.True(exit == 130, error);
        Assert.Equal("compress: cancelled; nothing was written\n", error);
        Assert.Contains(PipelineStage.Evaluate, cancelled.Stages);
        Assert.False(File.Exists(outputPath), "the model was written");
        Assert.False(File.Exists(manifest), "the manifest was written");
        Assert.False(Directory.Exists(report), "the report was written");

        var completed = CliHarness.Run(CliHarness.With(new CompressPipeline("test")), args);

        Assert.Equal((0, ""), (completed.Exit, completed.Error));
        Assert.True(File.Exists(outputPath) && File.Exists(manifest) && Directory.Exists(report));
    }

    [Fact]
    public void Run_RunnerReportsCancelled_Exits130()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => new PipelineResult(PipelineOutcome.Cancelled, []));

        var (exit, _, _) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath);

        Assert.Equal(130, exit);
    }

    [Fact]
    public void Run_PipelineError_ExitsOneAndPrintsEveryDiagnostic()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => new PipelineResult(PipelineOutcome.Failed,
        [
            Diagnostic.Error("CMP3001", "not a RIFF file", "data/yes/a.wav"),
            Diagnostic.Warning("CMP3002", "clip shorter than 1 s", "data/no/b.wav"),
        ]));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal("data/yes/a.wav: error CMP3001: not a RIFF file\ndata/no/b.wav: warning CMP3002: clip shorter than 1 s\n", error);
    }

    [Fact]
    public void Run_CompressExceptionFromTheRunner_ExitsOne()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => throw new CompressException(Diagnostic.Error("CMP4001", "loss is NaN at step 12 (epoch 1); last finite loss 2.3")));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal("compress: error CMP4001: loss is NaN at step 12 (epoch 1); last finite loss 2.3\n", error);
    }

    [Fact]
    public void Run_BadSpec_ExitsOneWithAllDiagnosticsAndNeverRuns()
    {
        using var ws = TestWorkspace.WithSpec(TestWorkspace.Spec + "\nseed: x\nthreads: 0\n");
        var runner = new FakeRunner((_, _) => throw new InvalidOperationException("must not run"));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal(
            $"{ws.SpecPath}(11,7): error CMP1004: 'seed' must be an integer, not 'x'\n{ws.SpecPath}(12,10): error CMP1006: 'threads' must be an integer in [1, 1024], not 0\n",
            error);
        Assert.Empty(runner.Requests);
    }

    [Fact]
    public void Run_Overrides_AreAppliedAndValidatedAtTheSetArgument()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => new PipelineResult(PipelineOutcome.Succeeded, []));

        var ok = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--set", "finetune.epochs=7", "--set", "seed=3", "-v", "quiet");
        var bad = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--set", "finetune.epochs=7", "--set", "gate.min=2");

        Assert.Equal((0, "", ""), ok);
        Assert.Equal(7, runner.Requests[0].Spec.Finetune.Epochs);
        Assert.Equal(3, runner.Requests[0].Spec.Seed);
        Assert.Equal(1, bad.Exit);
        Assert.Equal("--set(2,10): error CMP1006: 'gate.min' must be a number in [0, 1], not 2\n", bad.Error);
    }

    [Fact]
    public void Run_SetBeforeTheSpec_TakesOneValuePerSetAndLeavesTheSpecArgument()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => new PipelineResult(PipelineOutcome.Succeeded, []));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(runner), "run", "--set", "seed=9", ws.SpecPath, "-v", "quiet");

        Assert.Equal((0, ""), (exit, error));
        Assert.Equal(9, runner.Requests.Single().Spec.Seed);
    }

    [Fact]
    public void Run_OutputReportAndManifest_AreResolvedToFullPaths()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((r, _) => new PipelineResult(PipelineOutcome.Succeeded, [], r.OutputPath));
        var output = Path.Combine(ws.Folder, "a.onnx");
        var report = Path.Combine(ws.Folder, "rep");
        var manifest = Path.Combine(ws.Folder, "files.json");

        var (exit, stdout, _) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--output", output, "--report", report, "--manifest", manifest, "-v", "minimal");

        Assert.Equal(0, exit);
        Assert.Equal(new PipelineRequest(runner.Requests[0].Spec, output, report, manifest), runner.Requests[0]);
        Assert.Equal($"wrote {output}\n", stdout);
    }

    [Fact]
    public void Run_MissingModelFile_IsCmp1012AtTheModelKey()
    {
        using var ws = TestWorkspace.WithSpec();
        File.Delete(ws.ModelPath);

        var (exit, _, error) = CliHarness.Run(CliHarness.With(new FakeRunner((_, _) => throw new InvalidOperationException())), "run", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal($"{ws.SpecPath}(1,8): error CMP1012: 'model.path' does not exist: {ws.ModelPath}\n", error);
    }

    [Fact]
    public void Run_WithoutARunner_IsCmp1018()
    {
        using var ws = TestWorkspace.WithSpec();

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "run", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal("compress: error CMP1018: this build of the tool has no pipeline runner; install a complete Compress.Tool\n", error);
    }

    [Fact]
    public void Run_WithoutSpecArgument_ReadsCompressYamlInTheCurrentFolder()
    {
        var expected = Path.GetFullPath("compress.yaml");
        Assert.False(File.Exists(expected), "the test folder must not hold a compress.yaml");

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "run");

        Assert.Equal(1, exit);
        Assert.Equal($"compress.yaml: error CMP1009: cannot read the spec: {expected} does not exist\n", error);
    }

    [Fact]
    public void Run_OnATerminal_DrawsSpectreProgressAndStillReportsTheResult()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((r, _) => new PipelineResult(PipelineOutcome.Succeeded, [], "/tmp/x.onnx"));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(runner) with { IsInteractive = static () => true }, "run", ws.SpecPath);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("train", output, StringComparison.Ordinal);
        Assert.Contains("export", output, StringComparison.Ordinal);
        Assert.EndsWith("wrote /tmp/x.onnx\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DetailedVerbosity_PrintsEveryUpdate()
    {
        using var ws = TestWorkspace.WithSpec();
        var runner = new FakeRunner((_, _) => new PipelineResult(PipelineOutcome.Succeeded, [], "x"));

        var (_, output, _) = CliHarness.Run(CliHarness.With(runner), "run", ws.SpecPath, "--verbosity", "detailed");

        Assert.Equal(FakeRunner.Updates.Length + 1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
