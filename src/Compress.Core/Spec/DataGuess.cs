using System.Globalization;
using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Spec;

/// <summary>
/// What <c>init</c> makes of <c>--data</c>: a folder is Speech-Commands style (labels from its sub-folders); a
/// <c>.csv</c>/<c>.tsv</c> file is a manifest (labels from its label column); a <c>.npy</c> file is a features array,
/// whose labels array is looked for next to it (<c>X</c>→<c>y</c>, <c>features</c>→<c>labels</c>) and whose
/// <c>train</c> in the name becomes <c>{split}</c> when the validation and test files are there too.
/// </summary>
/// <param name="Yaml">The <c>data:</c> section.</param>
/// <param name="Labels">Label names found in the data (folders, manifest), in ordinal order; null for npy (indices only).</param>
internal sealed record DataGuess(DatasetFormat Format, string Yaml, IReadOnlyList<string>? Labels)
{
    public static DataGuess Of(string specPath, string specFolder, string dataPath, List<Diagnostic> notes)
    {
        var relative = Path.GetRelativePath(specFolder, Path.GetFullPath(dataPath));
        if (Directory.Exists(dataPath))
        {
            var labels = Directory.GetDirectories(dataPath).Select(Path.GetFileName).OfType<string>()
                .Where(n => (!n.StartsWith('_') || n == Graph.OutputHead.NegativeLabel) && !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
            return new DataGuess(DatasetFormat.SpeechCommands, string.Create(CultureInfo.InvariantCulture, $"""
                data:
                  format: speech_commands   # <root>/<label>/*.wav
                  root: {Quote(relative)}
                  validation_percent: {DatasetOptions.DefaultValidationPercent}    # used when there is no validation_list.txt
                  testing_percent: {DatasetOptions.DefaultTestingPercent}       # used when there is no testing_list.txt
                  on_bad_file: {SpecNames.Of(DatasetOptions.DefaultOnBadFile)}         # or skip: report unreadable clips and leave them out

                """), labels);
        }

        if (dataPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return Npy(specPath, specFolder, dataPath, notes);
        }

        if (!dataPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !dataPath.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"{dataPath} is neither a folder, a .csv/.tsv manifest nor a .npy array; took it for a manifest (check 'data')"));
        }

        List<string> found;
        var hasSplit = false;
        try
        {
            var rows = ManifestSource.Read(new DatasetOptions(DatasetFormat.Manifest, specFolder, [], Manifest: Path.GetFullPath(dataPath)), specPath);
            found = [.. rows.Select(r => r.Word).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            hasSplit = File.ReadLines(dataPath).Any(l => l.Split(l.Contains('\t') ? '\t' : ',').Length == 3);
        }
        catch (CompressException e)
        {
            notes.AddRange(e.Diagnostics.Select(d => SpecMessages.InitGuess(specPath, $"{d.Message} (fix the manifest, then 'labels')")));
            found = [];
        }

        return new DataGuess(DatasetFormat.Manifest, string.Create(CultureInfo.InvariantCulture, $"""
            data:
              format: manifest          # path,label[,split] lines (CSV, or TSV); paths relative to the manifest
              manifest: {Quote(relative)}
            {(hasSplit ? "" : $"  validation_percent: {DatasetOptions.DefaultValidationPercent}    # no split column: a hash of each file name\n  testing_percent: {DatasetOptions.DefaultTestingPercent}\n")}  on_bad_file: {SpecNames.Of(DatasetOptions.DefaultOnBadFile)}         # or skip: report unreadable clips and leave them out

            """), found);
    }

    private static DataGuess Npy(string specPath, string specFolder, string dataPath, List<Diagnostic> notes)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataPath))!;
        var name = Path.GetFileName(dataPath);
        var labelsName = LabelsNameFor(name).FirstOrDefault(n => File.Exists(Path.Combine(folder, n)));
        if (labelsName is null)
        {
            notes.Add(SpecMessages.InitGuess(specPath, $"found no labels array next to {name} (tried {string.Join(", ", LabelsNameFor(name))}); set data.labels"));
            labelsName = LabelsNameFor(name).FirstOrDefault() ?? "labels.npy";
        }

        // X_train.npy with X_validation.npy and X_test.npy beside it (and the same for the labels): one pair per split.
        var (features, labels) = (name, labelsName);
        if (SplitTemplate(name) is { } featuresTemplate && SplitTemplate(labelsName) is { } labelsTemplate
            && NpySource.SplitNames.All(s => File.Exists(Path.Combine(folder, featuresTemplate.Replace(NpySource.SplitPlaceholder, s, StringComparison.Ordinal)))
                && File.Exists(Path.Combine(folder, labelsTemplate.Replace(NpySource.SplitPlaceholder, s, StringComparison.Ordinal)))))
        {
            (features, labels) = (featuresTemplate, labelsTemplate);
        }

        var at = Path.GetRelativePath(specFolder, folder);
        string Rel(string file) => Quote(at == "." ? file : Path.Combine(at, file));
        var percentages = features.Contains(NpySource.SplitPlaceholder, StringComparison.Ordinal)
            ? ""
            : string.Create(CultureInfo.InvariantCulture, $"  validation_percent: {DatasetOptions.DefaultValidationPercent}    # one array: rows are split by a hash of the row index\n  testing_percent: {DatasetOptions.DefaultTestingPercent}\n");
        return new DataGuess(DatasetFormat.Npy, $"""
            data:
              format: npy               # float32/float16 features [N, ...] in the model's input layout, integer labels [N]
              features: {Rel(features)}
              labels: {Rel(labels)}
            {percentages}
            """, null);
    }

    /// <summary>Names the labels array of <paramref name="features"/> may have, most likely first.</summary>
    private static IEnumerable<string> LabelsNameFor(string features)
    {
        string[][] swaps = [["features", "labels"], ["feats", "labels"], ["X", "y"], ["x", "y"], ["inputs", "labels"], ["data", "labels"]];
        foreach (var swap in swaps)
        {
            foreach (var token in Tokens(features).Where(t => t.Text == swap[0]))
            {
                yield return string.Concat(features.AsSpan(0, token.Start), swap[1], features.AsSpan(token.Start + token.Text.Length));
            }
        }
    }

    /// <summary>The file name with its <c>train</c> token replaced by <c>{split}</c>, or null.</summary>
    private static string? SplitTemplate(string file) => Tokens(file).FirstOrDefault(t => t.Text == "train") is { Text: not null } token
        ? string.Concat(file.AsSpan(0, token.Start), NpySource.SplitPlaceholder, file.AsSpan(token.Start + token.Text.Length))
        : null;

    /// <summary>The name's alphanumeric runs (split at '_', '-', '.'), with their offsets.</summary>
    private static IEnumerable<(string Text, int Start)> Tokens(string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var start = 0;
        for (var i = 0; i <= stem.Length; i++)
        {
            if (i == stem.Length || stem[i] is '_' or '-' or '.')
            {
                if (i > start)
                {
                    yield return (stem[start..i], start);
                }

                start = i + 1;
            }
        }
    }

    private static string Quote(string value) => SpecTemplate.Quote(value);
}
