using System.Globalization;
using System.Text.RegularExpressions;
using Compress.Core.Tests.Training;
using Compress.Data;
using Compress.Features;
using Compress.Pruning;
using Compress.Spec;
using Compress.Training;
using Google.Protobuf;

namespace Compress.Core.Tests.Spec;

/// <summary>
/// Every default the spec shares with an engine has one owner (a <c>Default…</c> constant on the engine's options
/// record). The copies that cannot use it — the key tables in docs/compress-yaml.md and the text <c>init</c>
/// writes — and the values the parser and the engine records actually end up with are compared with the owner
/// here, so a changed default that misses one of them fails.
/// </summary>
public sealed partial class SpecDefaultsTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "compress-spec-defaults-tests");

    // A pruning section (defaults differ when it is absent) and a distillation section (its temperature only
    // exists when present); every other key is left to its default.
    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no]
        pruning:
          method: magnitude
          target_sparsity: 0.5
        finetune:
          distillation:
            weight: 0.5
        """;

    private static readonly PruningOptions Pruning = new();
    private static readonly ScheduleOptions Schedule = new();
    private static readonly FineTuneOptions FineTune = new();
    private static readonly FrontEndOptions FrontEnd = new(FrontEndKind.LogMel);
    private static readonly DatasetOptions Dataset = new(DatasetFormat.SpeechCommands, "", []);

    // Keys SpecTemplate derives from the model rather than writing the default.
    private static readonly string[] DerivedByInit = ["features.clip_seconds"];

    /// <summary>The YAML key, its owner, what the parser gives <see cref="Minimal"/> (null: not in that spec), what the engine record holds.</summary>
    private static readonly (string Key, object Owner, Func<CompressSpec, object?> Parsed, object Engine)[] Defaults =
    [
        ("pruning.scope", PruningOptions.DefaultScope, s => s.Pruning.Scope, Pruning.Scope),
        ("pruning.min_layer_sparsity", PruningOptions.DefaultMinLayerSparsity, s => s.Pruning.MinLayerSparsity, Pruning.MinLayerSparsity),
        ("pruning.max_layer_sparsity", PruningOptions.DefaultMaxLayerSparsity, s => s.Pruning.MaxLayerSparsity, Pruning.MaxLayerSparsity),
        ("pruning.allocation", PruningOptions.DefaultAllocation, s => s.Pruning.Allocation, Pruning.Allocation),
        ("pruning.sensitivity_band", PruningOptions.DefaultSensitivityBand, s => s.Pruning.SensitivityBand, Pruning.SensitivityBand),
        ("pruning.protect_first_last", PruningOptions.DefaultProtectFirstAndLast, s => s.Pruning.ProtectFirstLast, Pruning.ProtectFirstAndLast),
        ("pruning.channel_criterion", PruningOptions.DefaultChannelCriterion, s => s.Pruning.ChannelCriterion, Pruning.ChannelCriterion),
        ("pruning.round_to", PruningOptions.DefaultRoundTo, s => s.Pruning.RoundTo, Pruning.RoundTo),
        ("pruning.gradient_batches", PruningOptions.DefaultGradientBatches, s => s.Pruning.GradientBatches, Pruning.GradientBatches),
        ("pruning.regularization", PruningOptions.DefaultRegularization, s => s.Pruning.Regularization, Pruning.Regularization),
        ("pruning.lambda", PruningOptions.DefaultRegularizationLambda, s => s.Pruning.Lambda, Pruning.RegularizationLambda),
        ("pruning.regularization_epochs", PruningOptions.DefaultRegularizationEpochs, s => s.Pruning.RegularizationEpochs, Pruning.RegularizationEpochs),
        ("pruning.n", PruningOptions.DefaultN, s => s.Pruning.N, Pruning.N),
        ("pruning.m", PruningOptions.DefaultM, s => s.Pruning.M, Pruning.M),
        ("pruning.reconstruct", PruningOptions.DefaultReconstruct, s => s.Pruning.Reconstruct, Pruning.Reconstruct),
        ("pruning.schedule.kind", ScheduleOptions.DefaultKind, s => s.Pruning.Schedule.Kind, Schedule.Kind),
        ("pruning.schedule.initial_sparsity", ScheduleOptions.DefaultInitialSparsity, s => s.Pruning.Schedule.InitialSparsity, Schedule.InitialSparsity),
        ("pruning.schedule.begin_epoch", ScheduleOptions.DefaultBeginEpoch, s => s.Pruning.Schedule.BeginEpoch, Schedule.BeginEpoch),
        ("pruning.schedule.frequency_steps", ScheduleOptions.DefaultFrequencySteps, s => s.Pruning.Schedule.FrequencySteps, Schedule.FrequencySteps),
        ("pruning.schedule.power", ScheduleOptions.DefaultPower, s => s.Pruning.Schedule.Power, Schedule.Power),
        ("pruning.schedule.rounds", ScheduleOptions.DefaultRounds, s => s.Pruning.Schedule.Rounds, Schedule.Rounds),
        ("finetune.epochs", FineTuneOptions.DefaultEpochs, s => s.Finetune.Epochs, FineTune.Epochs),
        ("finetune.batch_size", FineTuneOptions.DefaultBatchSize, s => s.Finetune.BatchSize, FineTune.BatchSize),
        ("finetune.optimizer", FineTuneOptions.DefaultOptimizer, s => s.Finetune.Optimizer, FineTune.Optimizer),
        ("finetune.learning_rate", FineTuneOptions.DefaultLearningRate, s => s.Finetune.LearningRate, FineTune.LearningRate),
        ("finetune.momentum", FineTuneOptions.DefaultMomentum, s => s.Finetune.Momentum, FineTune.Momentum),
        ("finetune.nesterov", FineTuneOptions.DefaultNesterov, s => s.Finetune.Nesterov, FineTune.Nesterov),
        ("finetune.weight_decay", FineTuneOptions.DefaultWeightDecay, s => s.Finetune.WeightDecay, FineTune.WeightDecay),
        ("finetune.lr_schedule", FineTuneOptions.DefaultLrSchedule, s => s.Finetune.LrSchedule, FineTune.LrSchedule),
        ("finetune.warmup_epochs", FineTuneOptions.DefaultWarmupEpochs, s => s.Finetune.WarmupEpochs, FineTune.WarmupEpochs),
        ("finetune.step_gamma", FineTuneOptions.DefaultStepGamma, s => s.Finetune.StepGamma, FineTune.StepGamma),
        ("finetune.step_epochs", FineTuneOptions.DefaultStepEpochs, s => s.Finetune.StepEpochs, FineTune.StepEpochs),
        ("finetune.label_smoothing", FineTuneOptions.DefaultLabelSmoothing, s => s.Finetune.LabelSmoothing, FineTune.LabelSmoothing),
        ("finetune.insert_batchnorm", FineTuneOptions.DefaultInsertBatchNorm, s => s.Finetune.InsertBatchNorm, FineTune.InsertBatchNorm),
        ("finetune.distillation.temperature", FineTuneOptions.DefaultTemperature, s => s.Finetune.Distillation?.Temperature, FineTune.Temperature),
        ("features.sample_rate", FrontEndOptions.DefaultSampleRate, s => s.Features.SampleRate, FrontEnd.SampleRate),
        ("features.clip_seconds", FrontEndOptions.DefaultClipSeconds, s => s.Features.ClipSeconds, FrontEnd.ClipSeconds),
        ("features.window_ms", FrontEndOptions.DefaultWindowMs, s => s.Features.WindowMs, FrontEnd.WindowMs),
        ("features.hop_ms", FrontEndOptions.DefaultHopMs, s => s.Features.HopMs, FrontEnd.HopMs),
        ("features.n_fft", FrontEndOptions.DefaultNFft, s => s.Features.NFft, FrontEnd.NFft),
        ("features.mel_bins", FrontEndOptions.DefaultMelBins, s => s.Features.MelBins, FrontEnd.MelBins),
        ("features.fmin", FrontEndOptions.DefaultFMin, s => s.Features.FMin, FrontEnd.FMin),
        ("features.log_floor", FrontEndOptions.DefaultLogFloor, s => s.Features.LogFloor, FrontEnd.LogFloor),
        ("features.coefficients", FrontEndOptions.DefaultCoefficients, s => s.Features.Coefficients, FrontEnd.Coefficients),
        ("data.validation_percent", DatasetOptions.DefaultValidationPercent, s => s.Data.ValidationPercent, Dataset.ValidationPercent),
        ("data.testing_percent", DatasetOptions.DefaultTestingPercent, s => s.Data.TestingPercent, Dataset.TestingPercent),
        ("data.unknown_fraction", DatasetOptions.DefaultUnknownFraction, s => s.Data.UnknownFraction, Dataset.UnknownFraction),
        ("data.silence_fraction", DatasetOptions.DefaultSilenceFraction, s => s.Data.SilenceFraction, Dataset.SilenceFraction),
        ("data.on_bad_file", DatasetOptions.DefaultOnBadFile, s => s.Data.OnBadFile, Dataset.OnBadFile),
    ];

    public static TheoryData<string> Keys() => [.. Defaults.Select(d => d.Key)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Default_EngineOptionsHoldTheOwner(string key)
    {
        var row = Row(key);

        Assert.True(Same(row.Owner, row.Engine), $"{key}: the engine's options default to {row.Engine}, the owner says {row.Owner}");
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Default_ParserFillsTheOwner(string key)
    {
        var row = Row(key);
        var spec = SpecAssert.Parses(Minimal, Path.Combine(Folder, "compress.yaml"));

        var parsed = row.Parsed(spec);

        Assert.NotNull(parsed);
        Assert.True(Same(row.Owner, parsed), $"{key}: the parser gives {parsed}, the owner says {row.Owner}");
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Default_DocumentedInCompressYamlMdIsTheOwner(string key)
    {
        var cell = DocumentedDefaults()[key];

        var literals = Literal().Matches(cell).Select(m => m.Groups[1].Value).ToList();

        Assert.True(literals.Any(l => Same(Row(key).Owner, l)), $"{key}: docs/compress-yaml.md says '{cell}', the owner says {Spelling(Row(key).Owner)}");
    }

    [Fact]
    public void Default_WrittenByInitIsTheOwner()
    {
        var folder = Directory.CreateTempSubdirectory("compress-init-defaults-").FullName;
        string? text;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "data", "yes"));
            Directory.CreateDirectory(Path.Combine(folder, "data", "no"));
            var model = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(model, TinyModels.Mlp().ToByteArray());
            text = SpecTemplate.Create(Path.Combine(folder, "compress.yaml"), model, Path.Combine(folder, "data")).Text;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var spec = SpecParser.ParseText(text!, Path.Combine(folder, "compress.yaml")).Spec;

        Assert.NotNull(spec);
        var drifted = Defaults.Where(d => !DerivedByInit.Contains(d.Key) && d.Parsed(spec) is { } v && !Same(d.Owner, v))
            .Select(d => $"{d.Key}: init writes {d.Parsed(spec)}, the owner says {d.Owner}").ToList();
        Assert.Equal([], drifted);
        Assert.Equal(ScheduleSpec.DefaultEndEpoch(ScheduleOptions.DefaultBeginEpoch, FineTuneOptions.DefaultEpochs), spec.Pruning.Schedule.EndEpoch);
    }

    private static (string Key, object Owner, Func<CompressSpec, object?> Parsed, object Engine) Row(string key) => Defaults.Single(d => d.Key == key);

    // The default column of every "| `key` | type | default | meaning |" row (pipes escaped as \| are inside cells).
    private static Dictionary<string, string> DocumentedDefaults()
    {
        var docs = File.ReadAllLines(Path.Combine(FullSpec.RepositoryRoot(), "docs", "compress-yaml.md"));
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in docs.Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = CellSeparator().Split(line);
            if (cells.Length >= 5)
            {
                rows[cells[1].Trim().Trim('`')] = cells[3].Trim();
            }
        }

        return rows;
    }

    private static bool Same(object owner, object value) => (owner, value) switch
    {
        (_, string text) when owner is Enum or bool => Spelling(owner) == text,
        (_, string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Convert.ToDouble(owner, CultureInfo.InvariantCulture),
        (Enum or bool, _) => owner.Equals(value),
        _ => Convert.ToDouble(owner, CultureInfo.InvariantCulture) == Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    private static string Spelling(object value) => value switch
    {
        bool b => b ? "true" : "false",
        Enum e => (string)typeof(SpecNames).GetMethod(nameof(SpecNames.Of))!.MakeGenericMethod(e.GetType()).Invoke(null, [e])!,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Literal();
}
