using System.Globalization;
using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Spec.Checks;

/// <summary>The data half of <c>validate</c>: what the data folder, manifest or arrays hold, per label and split.</summary>
internal static class DataChecks
{
    private const string Unknown = "_unknown_";
    private const string Silence = "_silence_";
    private const string BackgroundNoise = "_background_noise_";

    public static void Run(CompressSpec spec, List<string> facts, List<Diagnostic> diagnostics)
    {
        switch (spec.Data.Format)
        {
            case DatasetFormat.SpeechCommands when Directory.Exists(spec.Data.Root):
                SpeechCommands(spec, spec.Data.Root!, facts, diagnostics);
                break;
            case DatasetFormat.Manifest when File.Exists(spec.Data.Manifest) && spec.Ctc is { } ctc:
                Transcripts(spec, ctc, facts, diagnostics);
                break;
            case DatasetFormat.Manifest when File.Exists(spec.Data.Manifest):
                Manifest(spec, spec.Data.Manifest!, facts, diagnostics);
                break;
            case DatasetFormat.Npy when spec.Data.Features is { } x && spec.Data.Labels is { } y
                && NpySource.Expand(x).Concat(NpySource.Expand(y)).All(f => File.Exists(f.Path)):
                var features = NpySource.Expand(x);
                var labels = NpySource.Expand(y);
                if (features.Count != labels.Count)
                {
                    diagnostics.Add(SpecMessages.DataProblem(spec.LocationOf("data.labels"), $"use {NpySource.SplitPlaceholder} in both data.features and data.labels, or in neither", error: true));
                    break;
                }

                foreach (var (feature, label) in features.Zip(labels))
                {
                    Npy(spec, feature.Split, feature.Path, label.Path, facts, diagnostics);
                }

                break;
        }
    }

    private static void SpeechCommands(CompressSpec spec, string root, List<string> facts, List<Diagnostic> diagnostics)
    {
        var validation = ReadList(Path.Combine(root, "validation_list.txt"));
        var testing = ReadList(Path.Combine(root, "testing_list.txt"));
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        facts.Add($"data      speech_commands at {root}; splits: {(validation is null && testing is null ? F($"by speaker hash (validation {spec.Data.ValidationPercent}%, testing {spec.Data.TestingPercent}%)") : "validation_list.txt / testing_list.txt")}");
        var width = spec.Labels.Max(l => l.Length);
        for (var i = 0; i < spec.Labels.Count; i++)
        {
            var label = spec.Labels[i];
            var at = spec.LocationOf($"labels[{i}]");
            if (label == Unknown)
            {
                var others = folders.Where(f => !f.StartsWith('_') && !spec.Labels.Contains(f)).ToList();
                var count = others.Sum(f => Wavs(Path.Combine(root, f)).Count);
                facts.Add(F($"  {label.PadRight(width)}  {count} .wav in {others.Count} other folders (fraction {spec.Data.UnknownFraction})"));
                if (count == 0)
                {
                    diagnostics.Add(SpecMessages.DataProblem(at, $"'{Unknown}' needs words outside 'labels', but {root} has no other word folders with .wav files", error: false));
                }
            }
            else if (label == Silence)
            {
                var noise = Path.Combine(root, BackgroundNoise);
                var count = Directory.Exists(noise) ? Wavs(noise).Count : 0;
                facts.Add(F($"  {label.PadRight(width)}  {count} background noise .wav in {BackgroundNoise} (fraction {spec.Data.SilenceFraction})"));
                if (count == 0)
                {
                    diagnostics.Add(SpecMessages.DataProblem(at, $"'{Silence}' clips will be pure digital silence: {noise} has no .wav files", error: false));
                }
            }
            else if (!folders.Contains(label))
            {
                diagnostics.Add(SpecMessages.DataProblem(at, $"label '{label}' has no folder {Path.Combine(root, label)}", error: true));
            }
            else
            {
                var wavs = Wavs(Path.Combine(root, label));
                var v = wavs.Count(w => validation?.Contains($"{label}/{w}") == true);
                var t = wavs.Count(w => testing?.Contains($"{label}/{w}") == true);
                var split = validation is null && testing is null ? "" : F($" (train {wavs.Count - v - t}, validation {v}, test {t})");
                facts.Add(F($"  {label.PadRight(width)}  {wavs.Count} .wav{split}"));
                if (wavs.Count == 0)
                {
                    diagnostics.Add(SpecMessages.DataProblem(at, $"label '{label}' has no .wav files in {Path.Combine(root, label)}", error: true));
                }
            }
        }
    }

    private static void Manifest(CompressSpec spec, string manifest, List<string> facts, List<Diagnostic> diagnostics)
    {
        var lines = File.ReadLines(manifest).Where(l => l.Trim().Length > 0).ToList();
        var separator = lines.Count > 0 && lines[0].Contains('\t') ? '\t' : ',';
        var rows = lines.Select(l => l.Split(separator).Select(c => c.Trim()).ToArray()).ToList();
        if (rows.Count > 0 && rows[0].Length > 1 && rows[0][1] == "label")
        {
            rows.RemoveAt(0);
        }

        var counts = rows.Where(r => r.Length > 1).GroupBy(r => r[1], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        facts.Add(F($"data      manifest {manifest}: {rows.Count} rows, {counts.Count} labels"));
        for (var i = 0; i < spec.Labels.Count; i++)
        {
            var label = spec.Labels[i];
            if (label is Unknown or Silence)
            {
                continue;
            }

            var entries = counts.GetValueOrDefault(label) ?? [];
            var bySplit = entries.Where(r => r.Length > 2).GroupBy(r => r[2], StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}").ToList();
            facts.Add(F($"  {label}  {entries.Count} rows{(bySplit.Count == 0 ? "" : " (" + string.Join(", ", bySplit) + ")")}"));
            if (entries.Count == 0)
            {
                diagnostics.Add(SpecMessages.DataProblem(spec.LocationOf($"labels[{i}]"), $"label '{label}' has no rows in {manifest}", error: true));
            }
        }

        foreach (var extra in counts.Keys.Where(k => !spec.Labels.Contains(k)).Order(StringComparer.Ordinal))
        {
            var fate = spec.Labels.Contains(Unknown) ? $"counted as {Unknown}" : "left out";
            diagnostics.Add(SpecMessages.DataProblem(spec.LabelsLocation, $"the manifest's label '{extra}' is not in 'labels'; its {counts[extra].Count} rows are {fate}", error: false));
        }
    }

    /// <summary>
    /// A CTC recogniser's manifest, read by the loader's own reader: rows per split, distinct transcripts, the longest
    /// in tokens, and every line whose transcript the labels cannot spell (CMP3109, at its line); then the grammar's
    /// phrases, checked the same way (CMP3109 at its line, CMP3111 when it has none).
    /// </summary>
    private static void Transcripts(CompressSpec spec, CtcSpec ctc, List<string> facts, List<Diagnostic> diagnostics)
    {
        var vocabulary = ctc.Vocabulary(spec.Labels);
        var options = new DatasetOptions(DatasetFormat.Manifest, spec.Data.Root ?? spec.Folder, spec.Labels, Manifest: spec.Data.Manifest)
        {
            Transcripts = new TranscriptOptions(ctc.Normalization, vocabulary),
        };
        try
        {
            var rows = ManifestSource.Read(options, spec.File);
            var longest = rows.Select(r => vocabulary.Tokenize(r.Word, out _)!.Length).DefaultIfEmpty(0).Max();
            var bySplit = string.Join(", ", rows.GroupBy(r => r.Split).OrderBy(g => g.Key).Select(g => F($"{g.Key.ToString().ToLowerInvariant()} {g.Count()}")));
            facts.Add(F($"data      manifest {spec.Data.Manifest}: {rows.Count} rows ({bySplit}), {rows.Select(r => r.Word).Distinct(StringComparer.Ordinal).Count()} distinct transcripts, the longest {longest} tokens"));
        }
        catch (CompressException e)
        {
            diagnostics.AddRange(e.Diagnostics);
        }

        if (ctc.Grammar is { } path && File.Exists(path))
        {
            try
            {
                facts.Add(F($"grammar   {path}: {GrammarFile.Load(path, vocabulary, ctc.Normalization).Phrases.Count} phrases (ONNX Runtime's measurement decodes into them)"));
            }
            catch (CompressException e)
            {
                diagnostics.AddRange(e.Diagnostics);
            }
        }
    }

    /// <param name="split">The split the pair holds (<c>{split}</c> in the paths), or null for one pair split by rows.</param>
    private static void Npy(CompressSpec spec, string? split, string featuresPath, string labelsPath, List<string> facts, List<Diagnostic> diagnostics)
    {
        var features = TryRead(featuresPath, out var featureProblem);
        var labels = TryRead(labelsPath, out var labelProblem);
        if (features is null)
        {
            diagnostics.Add(SpecMessages.DataProblem(spec.LocationOf("data.features"), $"{featuresPath}: {featureProblem}", error: true));
        }

        if (labels is null)
        {
            diagnostics.Add(SpecMessages.DataProblem(spec.LocationOf("data.labels"), $"{labelsPath}: {labelProblem}", error: true));
        }

        if (features is null || labels is null)
        {
            return;
        }

        facts.Add($"data      npy {(split is null ? "" : split + " ")}features {Describe(features)}, labels {Describe(labels)}");
        if (features.Shape.Count == 0 || labels.Shape.Count != 1 || features.Shape[0] != labels.Shape[0])
        {
            diagnostics.Add(SpecMessages.DataProblem(spec.LocationOf("data.labels"), $"the labels must be [N] with the features' N: features {Describe(features)}, labels {Describe(labels)}", error: true));
        }
    }

    /// <summary>The header through the data loader's reader (one .npy parser for the product), or the reason it is unusable.</summary>
    private static Data.NpyHeader? TryRead(string path, out string problem)
    {
        try
        {
            problem = "";
            return Data.NpyHeader.Read(path);
        }
        catch (CompressException e)
        {
            problem = e.Diagnostics[0].Message;
            return null;
        }
    }

    private static string Describe(Data.NpyHeader header) => $"{header.Descr} ({string.Join(", ", header.Shape)})";

    private static HashSet<string>? ReadList(string path) =>
        File.Exists(path) ? File.ReadLines(path).Select(l => l.Trim().Replace('\\', '/')).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal) : null;

    private static List<string> Wavs(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
