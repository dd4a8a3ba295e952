using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Graph;
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

    /// <summary>
    /// Scaffolds the spec that will be written to <paramref name="specPath"/> (paths in it are relative to its folder).
    /// <paramref name="dataPath"/> is a Speech-Commands folder, a <c>.csv</c>/<c>.tsv</c> manifest or a <c>.npy</c>
    /// features array (see <see cref="DataGuess"/>).
    /// </summary>
    public static SpecScaffold Create(string specPath, string modelPath, string dataPath)
    {
        ArgumentNullException.ThrowIfNull(specPath);
        var notes = new List<Diagnostic>();
        var top = new SpecLocation(modelPath, null, null);
        if (!File.Exists(modelPath))
        {
            return new SpecScaffold(null, [SpecMessages.PathNotFound(top, "--model", Path.GetFullPath(modelPath))]);
        }

        if (!Directory.Exists(dataPath) && !File.Exists(dataPath))
        {
            return new SpecScaffold(null, [SpecMessages.PathNotFound(new SpecLocation(dataPath, null, null), "--data", Path.GetFullPath(dataPath))]);
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
        {
            return new SpecScaffold(null, [SpecMessages.ModelUnreadable(top, Path.GetFullPath(modelPath), e.Message)]);
        }

        var shape = ModelShape.Of(model);
        var folder = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        var data = DataGuess.Of(specPath, folder, dataPath, notes);

        // The first graph input takes the features (validate's rule, ExtraInputs); every other one is fed zeros.
        var input = shape.Inputs.FirstOrDefault();
        var extras = shape.Inputs.Skip(1).ToList();
        if (extras.Count > 0)
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"the model has {shape.Inputs.Count} inputs; took '{input!.Name}' for the features and fed zeros to {string.Join(", ", extras.Select(e => $"'{e.Name}'"))} (check model.input and model.inputs)"));
        }

        var detected = OutputHead.Detect(model);
        var head = detected.Value;
        if (head is null)
        {
            head = OutputHead.First(model);
            notes.Add(SpecMessages.InitGuess(specPath, $"the model has several outputs; took '{head.Output}' (check model.output)"));
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

        if (shape.Outputs.FirstOrDefault(o => o.Name == head.Output) is { } output)
        {
            text.Append(CultureInfo.InvariantCulture, $"  output: {Quote(output.Name)}       # {output}: {head.Description}{HeadNote(head)}\n");
        }

        if (extras.Count > 0)
        {
            text.Append("  inputs:                   # the model's other inputs: zeros (a recurrent state), a number, or a .npy\n");
            foreach (var extra in extras)
            {
                text.Append(CultureInfo.InvariantCulture, $"    {Quote(extra.Name)}: zeros         # {extra}\n");
            }
        }

        text.Append('\n').Append(data.Yaml).Append('\n');
        var labels = Labels(specPath, dataPath, data.Labels, head, notes);
        text.Append(head.IsBinary
            ? "# One sigmoid score: the positive class. Negative clips are labelled _negative_ (a _negative_/ folder, manifest\n# label _negative_, or npy label 0; positives are npy label 1).\nlabels:\n"
            : "# Class names in model output order (index i = output i). Check the order matches training!\nlabels:\n");
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {Quote(labels[i])}   # {i}\n");
        }

        text.Append('\n').Append(data.Format == DatasetFormat.Npy ? NpyFeatures : Features(specPath, input, notes));
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

            quantize:
              weights: none             # none | int8 (per-channel int8 weights, zeros kept; docs/quantization.md)
              activations: none         # none | int8 (needs weights: int8; uint8 activations calibrated on training clips)

            device: auto                # cpu | cuda | auto
            seed: 0

            """);
        return new SpecScaffold(text.ToString(), notes);
    }

    /// <summary>Why a head's output is not what the loss sees, for the comment on model.output.</summary>
    private static string HeadNote(OutputHead head) => head.Kind switch
    {
        HeadKind.Logits => "",
        HeadKind.Softmax or HeadKind.LogSoftmax or HeadKind.Sigmoid => $"; trained on the scores before it ('{head.TrainingValue}'), measured as shipped",
    };

    private static List<string> Labels(string specPath, string dataPath, IReadOnlyList<string>? found, OutputHead head, List<Diagnostic> notes)
    {
        var classes = head.Classes;
        if (head.IsBinary)
        {
            var positives = (found ?? []).Where(l => l != OutputHead.NegativeLabel).ToList();
            if (positives.Count != 1)
            {
                notes.Add(SpecMessages.InitGuess(specPath, positives.Count == 0
                    ? "the output is one sigmoid score; name its positive class in 'labels'"
                    : $"the output is one sigmoid score but {dataPath} has {positives.Count} labels besides _negative_; keep the positive class in 'labels'"));
            }

            return [positives.FirstOrDefault() ?? "positive"];
        }

        if (found is null)
        {
            // npy labels are indices: the names are the user's to give.
            var count = classes ?? 2;
            notes.Add(SpecMessages.InitGuess(specPath, string.Create(CultureInfo.InvariantCulture, $"npy labels are class indices; name the model's {count} classes in 'labels' (output order)")));
            return [.. Enumerable.Range(0, (int)count).Select(i => string.Create(CultureInfo.InvariantCulture, $"class_{i}"))];
        }

        var words = found.Where(n => !n.StartsWith('_')).ToList();
        if (words.Count == 0)
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"{dataPath} has no labels; fill in 'labels'"));
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
            notes.Add(SpecMessages.InitGuess(specPath, string.Create(CultureInfo.InvariantCulture, $"the model has {k} outputs but {dataPath} has {words.Count} labels; fix 'labels'")));
        }

        return words;
    }

    private const string NpyFeatures = """
        # npy features are fed as stored: they must already be in the layout the model's input takes.
        features:
          kind: none

        """;

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
            var (frames, binsOrNull, layout) = AxesOf(dims);
            var bins = binsOrNull ?? 40;
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
                {(layout is null ? "" : $"  layout: {layout}   # the model's axes (inferred by validate and run too)\n")}  prepend: false            # true: the exported model takes raw PCM (front-end prepended)

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

    /// <summary>
    /// Which of a feature input's axes are frames and bins, and the <c>features.layout</c> to write when they are not
    /// the front end's own order (<c>[batch, 1, frames, bins]</c> / <c>[batch, frames, bins]</c>): channels-last
    /// <c>[N, T, F, 1]</c> (tf2onnx) and time-last <c>[N, F, T]</c>, told apart by which axis holds a usual mel-bin
    /// count. When both or neither do, the front end's order is assumed (validate says when it does not fit).
    /// </summary>
    private static (long? Frames, long? Bins, string? Layout) AxesOf(IReadOnlyList<long?> dims)
    {
        if (dims.Count == 4 && dims[3] == 1 && dims[1] != 1)
        {
            return (dims[1], dims[2], "[batch, frames, bins, 1]");
        }

        if (dims.Count == 3 && dims[1] is long a && dims[2] is long b && UsualBins(a) && !UsualBins(b))
        {
            return (b, a, "[batch, bins, frames]");
        }

        return (dims[^2], dims[^1], null);
    }

    private static bool UsualBins(long n) => n is 13 or 20 or 23 or 26 or 32 or 40 or 64 or 80 or 128;

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

    internal static string Quote(string value) =>
        PlainSafe().IsMatch(value) && value is not ("null" or "true" or "false" or "~") ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainSafe();
}
