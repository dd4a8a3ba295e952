using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Spec.Checks;
using Compress.Training;
using Google.Protobuf;

namespace Compress.Spec;

/// <summary>A scaffolded compress.yaml: its text (null when the model cannot be read) and what had to be guessed.</summary>
public sealed record SpecScaffold(string? Text, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>
/// <c>dotnet compress init</c>: writes a commented compress.yaml for a model and a Speech-Commands-style data
/// folder. Labels come from the data folder's sub-folders (ordinal order; <c>_silence_</c>/<c>_unknown_</c> first
/// when the model has one or two more outputs than folders); the front-end from the model's input: rank 2
/// <c>[N, samples]</c> → <c>features.kind: none</c>; rank 3 <c>[N, T, F]</c> or 4 <c>[N, 1, T, F]</c> →
/// <c>log_mel</c> with F mel bins and a window/hop giving T frames per 1 s clip at 16 kHz.
/// </summary>
public static partial class SpecTemplate
{
    // init writes the defaults' owners (the engines' option records), so a changed default changes what init writes;
    // only the front-end keys come from the model. SpecDefaultsTests parses the output against the owners.
    private const int SampleRate = FrontEndOptions.DefaultSampleRate;
    private const int Epochs = FineTuneOptions.DefaultEpochs;

    /// <summary>Scaffolds the spec that will be written to <paramref name="specPath"/> (paths in it are relative to its folder).</summary>
    public static SpecScaffold Create(string specPath, string modelPath, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(specPath);
        var notes = new List<Diagnostic>();
        var top = new SpecLocation(modelPath, null, null);
        if (!File.Exists(modelPath))
        {
            return new SpecScaffold(null, [SpecMessages.PathNotFound(top, "--model", Path.GetFullPath(modelPath))]);
        }

        if (!Directory.Exists(dataFolder))
        {
            return new SpecScaffold(null, [SpecMessages.PathNotFound(new SpecLocation(dataFolder, null, null), "--data", Path.GetFullPath(dataFolder))]);
        }

        ModelShape shape;
        try
        {
            shape = ModelShape.Of(ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
        {
            return new SpecScaffold(null, [SpecMessages.ModelUnreadable(top, Path.GetFullPath(modelPath), e.Message)]);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        var labels = Labels(specPath, dataFolder, shape, notes);
        var input = shape.Inputs.FirstOrDefault();
        if (shape.Inputs.Count != 1)
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"the model has {shape.Inputs.Count} inputs; check model.input"));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            # compress.yaml — written by `dotnet compress init`; every key is documented in docs/compress-yaml.md.
            # Paths are relative to this file's folder.

            model:
              path: {Quote(Path.GetRelativePath(folder, Path.GetFullPath(modelPath)))}
            """).Append('\n');
        if (input is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  input: {Quote(input.Name)}        # {input}\n");
        }

        if (shape.Outputs.FirstOrDefault() is { } output)
        {
            text.Append(CultureInfo.InvariantCulture, $"  output: {Quote(output.Name)}       # {output}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"""

            data:
              format: speech_commands   # <root>/<label>/*.wav
              root: {Quote(Path.GetRelativePath(folder, Path.GetFullPath(dataFolder)))}
              validation_percent: {DatasetOptions.DefaultValidationPercent}    # used when there is no validation_list.txt
              testing_percent: {DatasetOptions.DefaultTestingPercent}       # used when there is no testing_list.txt
              on_bad_file: {SpecNames.Of(DatasetOptions.DefaultOnBadFile)}         # or skip: report unreadable clips and leave them out

            # Class names in model output order (index i = output i). Check the order matches training!
            labels:

            """);
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {Quote(labels[i])}   # {i}\n");
        }

        text.Append('\n').Append(Features(specPath, input, notes));
        var begin = ScheduleOptions.DefaultBeginEpoch;
        text.Append(CultureInfo.InvariantCulture, $"""

            pruning:
              method: magnitude         # {string.Join(" | ", SpecNames.All<PruningMethod>())}
              target_sparsity: {PruningOptions.DefaultTargetSparsity}      # fraction of prunable weights that end exactly zero, or max
              scope: {SpecNames.Of(PruningOptions.DefaultScope)}          # or global
              schedule:
                kind: {SpecNames.Of(ScheduleOptions.DefaultKind)}        # Zhu & Gupta cubic ramp from begin_epoch to end_epoch
                begin_epoch: {begin}
                end_epoch: {ScheduleSpec.DefaultEndEpoch(begin, Epochs)}

            finetune:
              epochs: {Epochs}
              batch_size: {FineTuneOptions.DefaultBatchSize}
              optimizer: {SpecNames.Of(FineTuneOptions.DefaultOptimizer)}           # {string.Join(" | ", SpecNames.All<OptimizerKind>())}
              learning_rate: {FineTuneOptions.DefaultLearningRate}
              lr_schedule: {SpecNames.Of(FineTuneOptions.DefaultLrSchedule)}       # {string.Join(" | ", SpecNames.All<LrScheduleKind>())}

            # The build fails (exit code 2) and no model is written when the compressed model is worse than this.
            gate:
              metric: accuracy          # accuracy | macro_f1 | frr_at_fa_per_hour
              max_drop: 0.02            # at most 2 points below the dense baseline

            output:
              storage: sparse           # sparse | sparse-int64 | dense
              compress: none            # none | brotli | gzip (the embedded bytes)

            device: auto                # cpu | cuda | auto
            seed: 0

            """);
        return new SpecScaffold(text.ToString(), notes);
    }

    private static List<string> Labels(string specPath, string dataFolder, ModelShape shape, List<Diagnostic> notes)
    {
        var words = Directory.GetDirectories(dataFolder).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('_') && !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        var classes = shape.Outputs.FirstOrDefault()?.Dimensions is { Count: > 0 } dims ? dims[^1] : null;
        if (words.Count == 0)
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"{dataFolder} has no label sub-folders; fill in 'labels'"));
            words.Add("keyword");
        }

        if (classes == words.Count + 2)
        {
            return ["_silence_", "_unknown_", .. words];
        }

        if (classes == words.Count + 1)
        {
            return ["_unknown_", .. words];
        }

        if (classes is long k && k != words.Count)
        {
            notes.Add(SpecMessages.InitGuess(specPath, string.Create(CultureInfo.InvariantCulture, $"the model has {k} outputs but {dataFolder} has {words.Count} label folders; fix 'labels'")));
        }

        return words;
    }

    private static string Features(string specPath, ModelTensor? input, List<Diagnostic> notes)
    {
        var dims = input?.Dimensions;
        if (dims is { Count: 2 })
        {
            var clip = dims[1] is long samples ? (samples / (double)SampleRate).ToString("0.######", CultureInfo.InvariantCulture) : "1";
            notes.Add(SpecMessages.InitGuess(specPath, $"the model takes raw audio; assumed {SampleRate} Hz (check features.sample_rate)"));
            return $"""
                # The model takes raw audio {input}: no front-end.
                features:
                  kind: none
                  sample_rate: {SampleRate}
                  clip_seconds: {clip}
                  prepend: false

                """;
        }

        if (dims is { Count: 3 or 4 })
        {
            var frames = dims[^2];
            var bins = dims[^1] ?? 40;
            var (window, hop) = frames is long t ? WindowFor(t) : (25, 10);
            if (frames is long f && FramesOf(window, hop) != f)
            {
                notes.Add(SpecMessages.InitGuess(specPath, string.Create(CultureInfo.InvariantCulture, $"no window/hop gives {f} frames per 1 s clip; check features.window_ms and hop_ms")));
            }

            var fft = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(SampleRate * window / 1000));
            return string.Create(CultureInfo.InvariantCulture, $"""
                # The model takes {input}: log-mel features, {frames?.ToString(CultureInfo.InvariantCulture) ?? "T"} frames × {bins} bins.
                features:
                  kind: log_mel             # or mfcc (then set coefficients)
                  sample_rate: {SampleRate}
                  clip_seconds: 1
                  window_ms: {window}
                  hop_ms: {hop}
                  n_fft: {fft}
                  mel_bins: {bins}
                  prepend: false            # true: the exported model takes raw PCM (front-end prepended)

                """);
        }

        notes.Add(SpecMessages.InitGuess(specPath, $"cannot infer the front-end from the model's input {input?.ToString() ?? "(none)"}; check 'features'"));
        return $"""
            features:
              kind: log_mel
              sample_rate: {SampleRate}
              clip_seconds: 1

            """;
    }

    // Frames of a 1 s clip without padding: 1 + (samples − window) / hop.
    private static long FramesOf(int windowMs, int hopMs) =>
        1 + ((SampleRate - (SampleRate * windowMs / 1000)) / (SampleRate * hopMs / 1000));

    private static (int Window, int Hop) WindowFor(long frames)
    {
        foreach (var hop in Enumerable.Range(5, 60))
        {
            foreach (var window in new[] { 2 * hop, 25, 30, 40 })
            {
                if (FramesOf(window, hop) == frames)
                {
                    return (window, hop);
                }
            }
        }

        return (25, 10);
    }

    private static string Quote(string value) =>
        PlainSafe().IsMatch(value) && value is not ("null" or "true" or "false" or "~") ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainSafe();
}
