using Compress.Data;
using Compress.Export;
using Compress.Features;
using Compress.Runtime;
using Compress.Pruning;
using Compress.Spec;
using Compress.Training;

namespace Compress.Core.Tests.Spec;

public sealed class SpecParserTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "compress-spec-tests");
    private static readonly string File = Path.Combine(Folder, "compress.yaml");

    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no, _unknown_, _silence_]
        """;

    [Fact]
    public void Minimal_FillsEveryDocumentedDefault()
    {
        var spec = SpecAssert.Parses(Minimal, File);

        SpecAssert.Equal(new ModelSpec { Path = Path.Combine(Folder, "models", "kws.onnx") }, spec.Model);
        SpecAssert.Equal(new DataSpec { Root = Path.Combine(Folder, "data"), Cache = Path.Combine(Folder, ".compress", "cache") }, spec.Data);
        Assert.Equal(["yes", "no", "_unknown_", "_silence_"], spec.Labels);
        SpecAssert.Equal(new FeaturesSpec(), spec.Features);
        SpecAssert.Equal(new PruningSpec { Schedule = new ScheduleSpec { EndEpoch = 8 } }, spec.Pruning);
        SpecAssert.Equal(new FinetuneSpec(), spec.Finetune);
        Assert.Null(spec.Gate);
        SpecAssert.Equal(new OutputSpec { Path = Path.Combine(Folder, "kws.compressed.onnx"), Report = Path.Combine(Folder, "compress-report") }, spec.Output);
        Assert.Equal(WeightQuantization.None, spec.Quantize.Weights);
        Assert.Equal(ComputeDevice.Auto, spec.Device);
        Assert.Equal(0, spec.Seed);
        Assert.Null(spec.Threads);
        Assert.Equal(Folder, spec.Folder);
        Assert.Equal(File, spec.File);
    }

    [Fact]
    public void FullSpec_RoundTripsToTheExpectedRecord()
    {
        var spec = SpecAssert.Parses(FullSpec.Text, "compress.yaml");
        var folder = Directory.GetCurrentDirectory();
        string At(string p) => Path.GetFullPath(Path.Combine(folder, p));

        SpecAssert.Equal(new ModelSpec { Path = At("model.onnx"), Input = "audio", Output = "logits" }, spec.Model);
        SpecAssert.Equal(
            new DataSpec
            {
                Format = DatasetFormat.SpeechCommands,
                Root = At("corpus"),
                ValidationPercent = 15,
                TestingPercent = 5,
                UnknownFraction = 0.2,
                SilenceFraction = 0.05,
                OnBadFile = BadFilePolicy.Skip,
                Augmentation = new AugmentationSpec { Copies = 2, TimeShiftMs = 100, NoiseProbability = 0.8, SnrDbMin = 5, SnrDbMax = 15, GainDb = 6, SpeedPercent = 10, TimeMasks = 2, FreqMasks = 1 },
                Cache = At("obj/cache"),
            },
            spec.Data);
        Assert.Equal(["yes", "no", "up", "down", "_unknown_", "_silence_"], spec.Labels);
        SpecAssert.Equal(
            new FeaturesSpec { Kind = FrontEndKind.Mfcc, SampleRate = 16000, ClipSeconds = 1, WindowMs = 40, HopMs = 20, NFft = 1024, MelBins = 40, FMin = 20, FMax = 7600, LogFloor = 1e-6, Coefficients = 10, Prepend = true },
            spec.Features);
        SpecAssert.Equal(
            new PruningSpec
            {
                Method = PruningMethod.Channel,
                TargetSparsity = SparsityTarget.Of(0.5),
                Scope = PruningScope.Global,
                MinLayerSparsity = 0.1,
                MaxLayerSparsity = 0.9,
                Allocation = SparsityAllocation.Sensitivity,
                SensitivityBand = 0.2,
                Include = ["conv*"],
                Exclude = ["*bias", "head.*"],
                ProtectFirstLast = false,
                Schedule = new ScheduleSpec { Kind = ScheduleKind.Polynomial, InitialSparsity = 0.1, BeginEpoch = 2, EndEpoch = 15, FrequencySteps = 50, Power = 2, Rounds = 3 },
                ChannelCriterion = ChannelCriterion.Taylor,
                RoundTo = 8,
                GradientBatches = 32,
                Regularization = ChannelRegularization.GroupLasso,
                Lambda = 0.001,
            },
            spec.Pruning);
        SpecAssert.Equal(
            new FinetuneSpec
            {
                Epochs = 20,
                BatchSize = 128,
                Optimizer = OptimizerKind.Sgd,
                LearningRate = 0.05,
                Momentum = 0.95,
                Nesterov = true,
                WeightDecay = 0.0005,
                LrSchedule = LrScheduleKind.Step,
                WarmupEpochs = 1,
                StepGamma = 0.5,
                StepEpochs = 5,
                GradientClip = 5,
                LabelSmoothing = 0.1,
                Distillation = new DistillationSpec { Weight = 0.7, Temperature = 2 },
                EarlyStop = new EarlyStopSpec { Metric = EarlyStopMetric.MacroF1, Patience = 4 },
            },
            spec.Finetune);
        SpecAssert.Equal(new GateSpec { Metric = GateMetricKind.Accuracy, Min = 0.9, MaxDrop = 0.02, MaxRelativeDrop = 0.03 }, spec.Gate);
        SpecAssert.Equal(new OutputSpec { Path = At("out/kws.onnx"), Storage = StorageMode.SparseInt64, Compress = EmbeddedCompression.Brotli, Filter = EmbeddedFilter.Shuffle, Report = At("out/report") }, spec.Output);
        Assert.Equal(WeightQuantization.Int8, spec.Quantize.Weights);
        Assert.Equal(ComputeDevice.Cpu, spec.Device);
        Assert.Equal(7, spec.Seed);
        Assert.Equal(2, spec.Threads);
    }

    [Theory]
    [InlineData("quantize:\n  weights: none\n", WeightQuantization.None)]
    [InlineData("quantize:\n  weights: int8\n", WeightQuantization.Int8)]
    [InlineData("quantize: {}\n", WeightQuantization.None)]
    public void Quantize_Weights_ParsesEachSpelling(string section, WeightQuantization expected)
    {
        var spec = SpecAssert.Parses(Minimal + "\n" + section, "compress.yaml");

        Assert.Equal(expected, spec.Quantize.Weights);
        Assert.Equal(new SpecLocation("compress.yaml", 5, 1), spec.Quantize.Location);
    }

    [Fact]
    public void Quantize_Activations_DefaultToNone_WithTheDefaultCalibration()
    {
        var spec = SpecAssert.Parses(Minimal + "\nquantize:\n  weights: int8\n", "compress.yaml");

        Assert.Equal(ActivationQuantization.None, spec.Quantize.Activations);
        Assert.Equal(new CalibrationOptions(200, CalibrationMethod.MinMax, 99.99), spec.Quantize.Calibration);
    }

    [Fact]
    public void Quantize_ActivationsAndCalibration_Parse()
    {
        var spec = SpecAssert.Parses(
            Minimal + "\nquantize:\n  weights: int8\n  activations: int8\n  calibration:\n    clips: 64\n    method: percentile\n    percentile: 99.9\n",
            "compress.yaml");

        Assert.Equal(ActivationQuantization.Int8, spec.Quantize.Activations);
        Assert.Equal(new CalibrationOptions(64, CalibrationMethod.Percentile, 99.9), spec.Quantize.Calibration);
    }

    [Fact]
    public void Quantize_Activations_CanBeSetFromTheCommandLine()
    {
        var result = SpecParser.ParseText(Minimal, "compress.yaml", ["quantize.weights=int8", "quantize.activations=int8", "quantize.calibration.clips=32"]);

        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(ActivationQuantization.Int8, result.Spec!.Quantize.Activations);
        Assert.Equal(32, result.Spec.Quantize.Calibration.Clips);
    }

    [Fact]
    public void Quantize_Weights_CanBeSetFromTheCommandLine()
    {
        var result = SpecParser.ParseText(Minimal, "compress.yaml", ["quantize.weights=int8"]);

        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(WeightQuantization.Int8, result.Spec!.Quantize.Weights);
    }

    [Fact]
    public void Gate_RemembersTheLineAndColumnOfItsKey()
    {
        var spec = SpecAssert.Parses(Minimal + "\ngate:\n  min: 0.9\n", "compress.yaml");

        Assert.Equal(new SpecLocation("compress.yaml", 5, 1), spec.Gate!.Location);
        Assert.Equal(new Compress.Diagnostics.GateLocation("compress.yaml", 5, 1), spec.Gate.Location.ToGateLocation());
        Assert.Equal(new SpecLocation("compress.yaml", 6, 8), spec.LocationOf("gate.min"));
        Assert.Equal(new SpecLocation("compress.yaml", 4, 15), spec.LocationOf("labels[1]"));
        Assert.Equal(spec.Gate.Location, spec.LocationOf("gate"));
    }

    [Fact]
    public void LocationOf_AnUnwrittenKey_FallsBackToItsSection()
    {
        var spec = SpecAssert.Parses(Minimal + "\nfinetune:\n  epochs: 4\n", "compress.yaml");

        Assert.Equal(new SpecLocation("compress.yaml", 6, 11), spec.LocationOf("finetune.epochs"));
        Assert.Equal(new SpecLocation("compress.yaml", 5, 1), spec.Finetune.Location);
        Assert.Equal(new SpecLocation("compress.yaml", 1, 1), spec.LocationOf("pruning.method"));
    }

    [Fact]
    public void Overrides_ReplaceValuesCreateSectionsAndAreLocatedAtTheirArgument()
    {
        var spec = SpecAssert.Parses(Minimal + "\nfinetune:\n  epochs: 4\n", "compress.yaml",
            "finetune.epochs=12", "pruning.target_sparsity=0.8", "gate.max_drop=0.01", "pruning.exclude=[head.*]", "seed=");

        Assert.Equal(12, spec.Finetune.Epochs);
        Assert.Equal(PruningMethod.Magnitude, spec.Pruning.Method);
        Assert.Equal(0.8, spec.Pruning.TargetSparsity!.Fraction);
        Assert.Equal(["head.*"], spec.Pruning.Exclude);
        Assert.Equal(0.01, spec.Gate!.MaxDrop);
        Assert.Equal(0, spec.Seed);
        Assert.Equal(new SpecLocation("--set", 1, 17), spec.LocationOf("finetune.epochs"));
        Assert.Equal(new SpecLocation("--set", 3, 1), spec.Gate.Location);
    }

    [Fact]
    public void Overrides_ChangeTheHash_SameTextSameHash()
    {
        var a = SpecAssert.Parses(Minimal, "compress.yaml");
        var b = SpecAssert.Parses(Minimal, "compress.yaml");
        var c = SpecAssert.Parses(Minimal, "compress.yaml", "seed=3");

        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.Matches("^[0-9a-f]{64}$", a.Hash);
        SpecAssert.Equal(a.Pruning, b.Pruning);
    }

    [Fact]
    public void Override_ThroughAScalar_IsAWrongTypeAtTheOverride()
    {
        var result = SpecParser.ParseText(Minimal, "compress.yaml", ["labels.x=1"]);

        Assert.Equal(["--set(1,1): error CMP1004: 'labels' must be a mapping to set 'labels.x', not a list"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void DependentDefaults_FollowTheOtherSettings()
    {
        var npy = SpecAssert.Parses("model: m.onnx\ndata:\n  format: npy\n  features: x.npy\n  labels: y.npy\nlabels: [a, b]\n", "compress.yaml");
        var adamw = SpecAssert.Parses(Minimal + "\nfinetune:\n  optimizer: adamw\n  epochs: 3\nfeatures:\n  sample_rate: 8000\n  n_fft: 256\n", "compress.yaml");

        Assert.Equal(FrontEndKind.None, npy.Features.Kind);
        Assert.Equal(0.01, adamw.Finetune.WeightDecay);
        Assert.Equal(4000, adamw.Features.FMax);
        Assert.Equal(3, adamw.Pruning.Schedule.EndEpoch);
    }

    [Fact]
    public void TargetMax_WithAGate_IsAccepted()
    {
        var spec = SpecAssert.Parses(Minimal + "\npruning:\n  target_sparsity: max\n  max_trials: 4\ngate:\n  max_drop: 0.01\n", "compress.yaml");

        Assert.True(spec.Pruning.TargetSparsity!.IsMax);
        Assert.Equal(4, spec.Pruning.MaxTrials);
    }

    [Fact]
    public void Parse_MissingFile_IsCmp1009()
    {
        var path = Path.Combine(Folder, "nope", "compress.yaml");

        var result = SpecParser.Parse(path);

        Assert.Null(result.Spec);
        Assert.Equal([$"{path}: error CMP1009: cannot read the spec: {path} does not exist"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Parse_ReadsTheFileAndResolvesPathsAgainstItsFolder()
    {
        var folder = Directory.CreateTempSubdirectory("compress-spec-").FullName;
        try
        {
            var path = Path.Combine(folder, "compress.yaml");
            System.IO.File.WriteAllText(path, Minimal);

            var spec = SpecParser.Parse(path).Spec!;

            Assert.Equal(Path.Combine(folder, "models", "kws.onnx"), spec.Model.Path);
            Assert.Equal(Path.Combine(folder, "data"), spec.Data.Root);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void KnownKeys_AreAllDocumentedInCompressYamlMd()
    {
        var docs = System.IO.File.ReadAllText(Path.Combine(FullSpec.RepositoryRoot(), "docs", "compress-yaml.md"));

        var undocumented = SpecParser.KnownKeys().Where(k => !docs.Contains($"`{k}`", StringComparison.Ordinal)).ToList();

        Assert.True(SpecParser.KnownKeys().Count > 80, $"{SpecParser.KnownKeys().Count} keys");
        Assert.Equal([], undocumented);
    }

    [Fact]
    public void DocumentedExample_ParsesWithoutDiagnostics()
    {
        var docs = System.IO.File.ReadAllText(Path.Combine(FullSpec.RepositoryRoot(), "docs", "compress-yaml.md"));
        var start = docs.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var example = docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)];

        SpecAssert.Parses(example, "compress.yaml");
    }
}
