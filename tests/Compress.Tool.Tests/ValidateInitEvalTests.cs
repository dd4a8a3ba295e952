using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Features;
using Compress.Pipeline;
using Compress.Spec;

namespace Compress.Tool.Tests;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Validate_GoodSpec_ReportsModelAndCountsPerLabelAndExitsZero()
    {
        using var ws = TestWorkspace.WithSpec();

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains($"model     {ws.ModelPath}: 1 nodes, opset 17, 1 operator types, all supported\n", output, StringComparison.Ordinal);
        Assert.Contains("input     audio float [N,16000]\n", output, StringComparison.Ordinal);
        Assert.Contains("  yes  3 .wav\n", output, StringComparison.Ordinal);
        Assert.Contains("  no   2 .wav\n", output, StringComparison.Ordinal);
        Assert.EndsWith("Everything needed to run is in place.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PruningWithNothingEligible_IsCMP4002_AsRunWouldSay()
    {
        // The model's only prunable weight is left out by exclude (protect_first_last does not protect a tensor holding all the weights).
        using var ws = TestWorkspace.WithSpec(TestWorkspace.Spec + "\npruning:\n  method: magnitude\n  target_sparsity: 0.5\n  exclude: [\"*\"]\n");

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Contains("error CMP4002: pruning method 'magnitude' has no weights to prune: the model has 1 prunable weight tensors", error, StringComparison.Ordinal);
        Assert.Contains("0 protected as first/last layer and 1 left out by include/exclude", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnsupportedOperatorMissingLabelAndWrongClassCount_AreAllReported()
    {
        using var ws = TestWorkspace.WithSpec(TestWorkspace.Spec.Replace("labels: [yes, no]", "labels: [yes, no, up]", StringComparison.Ordinal));
        ws.WriteModel(raw: true, classes: 2, opType: "FancyMatMul");

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, exit);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{ws.ModelPath}: error CMP2101: [FancyMatMul_0] operator ai.onnx.FancyMatMul (opset 17) is not supported. Supported: ", lines[0], StringComparison.Ordinal);
        Assert.Equal($"{ws.SpecPath}(4,1): error CMP1032: output 'v0' is logits over 2 classes, but 'labels' lists 3: list one label per class, in output order", lines[1]);
        Assert.Equal($"{ws.SpecPath}(4,19): error CMP1015: label 'up' has no folder {Path.Combine(ws.Folder, "data", "up")}", lines[2]);
    }

    [Fact]
    public void Validate_UnreadableClips_AreEachReportedWithTheirFile()
    {
        using var ws = TestWorkspace.WithSpec();
        var notWave = Path.Combine(ws.Folder, "data", "yes", "speaker9_nohash_0.wav");
        var empty = Path.Combine(ws.Folder, "data", "no", "speaker9_nohash_0.wav");
        File.WriteAllText(notWave, "this is not audio");
        File.WriteAllBytes(empty, []);

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.Equal(1, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"{notWave}: error CMP300", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{empty}: error CMP300", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadSpec_ExitsOneBeforeTouchingTheModel()
    {
        using var ws = TestWorkspace.WithSpec("model: model.onnx\ndata:\n  root: data\nlabels: [yes, no]\npruning:\n  methd: l1\n  target_sparsity: 0.5\n");

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "validate", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"{ws.SpecPath}(6,3): error CMP1002: unknown key 'pruning.methd'; did you mean 'method'?\n", error);
    }
}

public sealed class InitCommandTests
{
    [Fact]
    public void Init_FeatureModel_WritesAParsableLogMelSpecWithLabelsFromFolders()
    {
        using var ws = new TestWorkspace();
        ws.WriteModel(raw: false, classes: 4);
        ws.WriteData(("yes", 1), ("no", 1), ("_background_noise_", 1));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "init", "--model", ws.ModelPath, "--data", Path.Combine(ws.Folder, "data"), "--output", ws.SpecPath);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.StartsWith($"wrote {ws.SpecPath}: 4 labels (_silence_, _unknown_, no, yes), features log_mel\n", output, StringComparison.Ordinal);
        var spec = SpecParser.Parse(ws.SpecPath).Spec!;
        Assert.Equal(["_silence_", "_unknown_", "no", "yes"], spec.Labels);
        Assert.Equal((FrontEndKind.LogMel, 10, 40.0, 20.0, 1024, false), (spec.Features.Kind, spec.Features.MelBins, spec.Features.WindowMs, spec.Features.HopMs, spec.Features.NFft, spec.Features.Prepend));
        Assert.Equal(ws.ModelPath, spec.Model.Path);
        Assert.Equal("mel", spec.Model.Input);
        Assert.Contains("# compress.yaml — written by `dotnet compress init`", File.ReadAllText(ws.SpecPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Init_RawAudioModel_WritesFeaturesNoneWithoutPrepend()
    {
        using var ws = new TestWorkspace();
        ws.WriteModel(raw: true, classes: 2);
        ws.WriteData(("go", 1), ("stop", 1));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "init", "-m", ws.ModelPath, "-d", Path.Combine(ws.Folder, "data"), "-o", ws.SpecPath);

        Assert.Equal(0, exit);
        Assert.Equal($"{ws.SpecPath}: warning CMP1017: the model takes raw audio; assumed 16000 Hz (check features.sample_rate)\n", error);
        var spec = SpecParser.Parse(ws.SpecPath).Spec!;
        Assert.Equal((FrontEndKind.None, false, 1.0), (spec.Features.Kind, spec.Features.Prepend, spec.Features.ClipSeconds));
        Assert.Equal(["go", "stop"], spec.Labels);
    }

    [Fact]
    public void Init_ExistingSpec_IsRefusedUnlessForced()
    {
        using var ws = TestWorkspace.WithSpec();
        var before = File.ReadAllText(ws.SpecPath);
        string[] args = ["init", "--model", ws.ModelPath, "--data", Path.Combine(ws.Folder, "data"), "--output", ws.SpecPath, "-v", "quiet"];

        var refused = CliHarness.Run(CliHarness.With(), args);
        var unchanged = File.ReadAllText(ws.SpecPath);
        var forced = CliHarness.Run(CliHarness.With(), [.. args, "--force"]);

        Assert.Equal((1, "", $"{ws.SpecPath}: error CMP1016: the spec already exists; pass --force to overwrite it\n"), refused);
        Assert.Equal(before, unchanged);
        Assert.Equal(0, forced.Exit);
        Assert.NotEqual(before, File.ReadAllText(ws.SpecPath));
    }

    [Fact]
    public void Init_MissingModel_IsCmp1012()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(Path.Combine(ws.Folder, "data"));

        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "init", "--model", ws.ModelPath, "--data", Path.Combine(ws.Folder, "data"), "--output", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal($"{ws.ModelPath}: error CMP1012: '--model' does not exist: {ws.ModelPath}\n", error);
        Assert.False(File.Exists(ws.SpecPath));
    }
}

public sealed class EvalCommandTests
{
    /// <summary>
    /// The real evaluator on a test split of three clips, one of which the model gets wrong: the counts, metrics and
    /// confusion it prints are worked out by hand (yes: precision 1/2, recall 1; no: precision 1, recall 1/2).
    /// </summary>
    [Fact]
    public void Eval_RealEvaluator_PrintsTheMetricsOfTheModelOnTheTestSplit()
    {
        using var ws = TestWorkspace.Separable(extraTestClip: true);

        var (exit, output, error) = CliHarness.Run(CliHarness.With(evaluator: new ModelEvaluator()), "eval", ws.ModelPath, "--spec", ws.SpecPath);

        Assert.Equal((0, ""), (exit, error));
        Assert.StartsWith($"model      {ws.ModelPath} ({new FileInfo(ws.ModelPath).Length} bytes)\n", output, StringComparison.Ordinal);
        Assert.Contains("clips      3\naccuracy   0.6667\nmacro_f1   0.6667\n", output, StringComparison.Ordinal);
        Assert.Contains("yes          1      0.500   1.000  0.667\nno           2      1.000   0.500  0.667\n", output, StringComparison.Ordinal);
        Assert.EndsWith("confusion (rows: truth, columns: predicted, in label order)\n    1     0\n    1     1\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_EvaluatorErrors_ArePrintedWithItsWarnings_AndExitOne()
    {
        using var ws = TestWorkspace.WithSpec();
        var evaluator = new FakeEvaluator(FakeEvaluator.Failed(
            Diagnostic.Warning("CMP3105", "2 bad files skipped", ws.SpecPath),
            Diagnostic.Error("CMP2109", "the model cannot run", ws.ModelPath)));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(evaluator: evaluator), "eval", ws.ModelPath, "--spec", ws.SpecPath, "--set", "seed=5");

        Assert.Equal((1, ""), (exit, output));
        Assert.Equal($"{ws.SpecPath}: warning CMP3105: 2 bad files skipped\n{ws.ModelPath}: error CMP2109: the model cannot run\n", error);
        var (model, spec) = evaluator.Calls.Single();
        Assert.Equal(ws.ModelPath, model);
        Assert.Equal(5, spec.Seed);
    }

    [Fact]
    public void Eval_Measured_PrintsTheTableAndTheWarnings_AndExitsZero()
    {
        using var ws = TestWorkspace.WithSpec();
        var metrics = ClassificationMetrics.Compute([0, 1], [0, 0], ["yes", "no"]);
        var evaluation = new ModelEvaluation(ws.ModelPath, 123, new OrtMeasurement(metrics, [[1f, 0f], [1f, 0f]], [0, 1], 0.5));
        var evaluator = new FakeEvaluator(Result<ModelEvaluation>.Ok(evaluation, [Diagnostic.Warning("CMP3203", "cache rebuilt")]));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(evaluator: evaluator), "eval", ws.ModelPath, "--spec", ws.SpecPath);

        Assert.Equal((0, "compress: warning CMP3203: cache rebuilt\n"), (exit, error));
        Assert.StartsWith($"model      {ws.ModelPath} (123 bytes)\nclips      2\naccuracy   0.5000\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ACtcRecogniser_PrintsWerCerTheirCountsAndTheWorstUtterances()
    {
        using var ws = TestWorkspace.WithSpec();
        string[] references = ["turn on the lights", "stop", "play music"];
        string[] decoded = ["turn on the light", "", "play music"];
        var transcripts = references.Order(StringComparer.Ordinal).ToList();
        var truth = references.Select(r => transcripts.IndexOf(r)).ToArray();
        var metrics = ClassificationMetrics.Compute(truth, [3, 3, truth[2]], [.. transcripts, "(no transcript)"]);
        var measurement = new OrtMeasurement(metrics, [], truth, 0.25) { Transcription = TranscriptionMetrics.Compute(references, decoded) };
        var evaluator = new FakeEvaluator(Result<ModelEvaluation>.Ok(new ModelEvaluation(ws.ModelPath, 99, measurement)));

        var (exit, output, error) = CliHarness.Run(CliHarness.With(evaluator: evaluator), "eval", ws.ModelPath, "--spec", ws.SpecPath);

        Assert.Equal((0, ""), (exit, error));
        Assert.Equal(
            $"model      {ws.ModelPath} (99 bytes)\n" +
            "clips      3\n" +
            "decoder    greedy\n" +
            "wer        0.2857  (1 sub, 1 del, 0 ins / 7 words)\n" +
            "cer        0.1563  (0 sub, 5 del, 0 ins / 32 characters)\n" +
            "exact      0.3333  (utterances decoded exactly)\n" +
            "latency    0.250 ms/clip (median over batches)\n" +
            "\n" +
            "worst 2 utterances (word errors, char errors: reference => decoded)\n" +
            "  1    4  stop => (nothing)\n" +
            "  1    1  turn on the lights => turn on the light\n",
            output.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Eval_MissingModel_IsCmp1012AndTheEvaluatorIsNotCalled()
    {
        using var ws = TestWorkspace.WithSpec();
        var evaluator = new FakeEvaluator(FakeEvaluator.Failed(Diagnostic.Error("CMP0000", "not called")));
        var missing = Path.Combine(ws.Folder, "nope.onnx");

        var (exit, _, error) = CliHarness.Run(CliHarness.With(evaluator: evaluator), "eval", missing, "--spec", ws.SpecPath);

        Assert.Equal(1, exit);
        Assert.Equal($"{missing}: error CMP1012: 'MODEL' does not exist: {missing}\n", error);
        Assert.Empty(evaluator.Calls);
    }

    [Fact]
    public void Eval_Cancelled_Exits130()
    {
        using var ws = TestWorkspace.WithSpec();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var (exit, _, _) = CliHarness.Run(CliHarness.With(evaluator: new FakeEvaluator(FakeEvaluator.Failed(Diagnostic.Error("CMP0000", "not called")))), cancelled.Token, "eval", ws.ModelPath, "--spec", ws.SpecPath);

        Assert.Equal(130, exit);
    }
}
