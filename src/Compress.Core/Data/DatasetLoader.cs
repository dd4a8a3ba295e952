using Compress.Audio;
using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Loads the spec's <c>data:</c> section into splits. Every audio file's header is checked up front
/// (<see cref="WavReader.Inspect"/>); all bad files are reported, then the load fails or skips them as
/// <see cref="DatasetOptions.OnBadFile"/> says. Results are deterministic for a given folder and
/// <see cref="DatasetOptions.Seed"/>: items are in path order, then sampled unknowns, then silence.
/// </summary>
public static class DatasetLoader
{
    /// <summary>
    /// Loads the dataset. Throws <see cref="CompressException"/> with every problem found (CMP3xxx); warnings are
    /// in <see cref="LoadedDataset.Diagnostics"/>. <paramref name="specFile"/> is named in option-level diagnostics.
    /// </summary>
    public static LoadedDataset Load(DatasetOptions options, string? specFile = null)
    {
        var result = TryLoad(options, specFile);
        return result.Value ?? throw new CompressException([.. result.Diagnostics.Where(d => d.IsError)]);
    }

    /// <summary>
    /// Loads the dataset; the loader's own findings (invalid options, bad files under <c>on_bad_file: fail</c>, labels
    /// without examples: CMP3xxx) are errors of the result, and warnings ride along with the dataset. The sources
    /// (manifest, NumPy files, folder scan) still throw <see cref="CompressException"/> for what they cannot read.
    /// </summary>
    public static Result<LoadedDataset> TryLoad(DatasetOptions options, string? specFile = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var invalid = Validate(options, specFile);
        if (invalid.Count > 0)
        {
            return Result<LoadedDataset>.Fail(invalid);
        }

        if (options.Format == DatasetFormat.Npy)
        {
            var npy = NpySource.Load(options, specFile);
            return Result<LoadedDataset>.Ok(npy, npy.Diagnostics);
        }

        var candidates = options.Format == DatasetFormat.SpeechCommands
            ? SpeechCommandsSource.Scan(options)
            : ManifestSource.Read(options, specFile);
        var background = SpeechCommandsSource.BackgroundNoise(options.Root);
        var diagnostics = new List<Diagnostic>();
        var (bad, seconds) = InspectAll(candidates.Select(c => c.Path).Concat(background).ToList());
        if (bad.Count > 0)
        {
            if (options.OnBadFile == BadFilePolicy.Fail)
            {
                return Result<LoadedDataset>.Fail(bad.Values);
            }

            diagnostics.AddRange(bad.Values.Select(d => d with { Severity = DiagnosticSeverity.Warning }));
            diagnostics.Add(DataMessages.BadFilesSkipped(specFile, bad.Count, candidates.Count + background.Count));
            candidates = [.. candidates.Where(c => !bad.ContainsKey(c.Path))];
            background = [.. background.Where(b => !bad.ContainsKey(b))];
        }

        if (options.Transcripts is { MaxSeconds: > 0 } transcripts && TooLong(candidates, seconds, transcripts.MaxSeconds) is { Count: > 0 } tooLong)
        {
            return Result<LoadedDataset>.Fail([.. diagnostics, .. tooLong]);
        }

        return Assemble(options, candidates, background, diagnostics, specFile);
    }

    /// <summary>Transcribed clips longer than the front end's clip (CMP3110 each, in input order): the fit would cut words.</summary>
    private static List<Diagnostic> TooLong(List<DatasetCandidate> candidates, Dictionary<string, double> seconds, double maxSeconds) =>
        [.. candidates
            .Where(c => seconds[c.Path] > maxSeconds + 1e-9)
            .Select(c => DataMessages.TranscribedClipTooLong(c.Path, seconds[c.Path], maxSeconds))];

    private static List<Diagnostic> Validate(DatasetOptions o, string? specFile)
    {
        var problems = new List<Diagnostic>();
        void Check(bool ok, string detail)
        {
            if (!ok)
            {
                problems.Add(DataMessages.InvalidDatasetOptions(specFile, detail));
            }
        }

        Check(!string.IsNullOrWhiteSpace(o.Root), "root is empty");
        Check(o.Labels is { Count: > 0 }, "labels is empty");
        Check(o.Transcripts is null || o.Format == DatasetFormat.Manifest, "transcripts (task: ctc) are read from a manifest only");
        if (o.Labels is not null)
        {
            var duplicates = o.Labels.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Check(duplicates.Count == 0, $"labels are listed twice: {string.Join(", ", duplicates)}");
            Check(o.Labels.All(l => !string.IsNullOrWhiteSpace(l)), "a label is empty");
        }

        Check(o.ValidationPercent is >= 0 and <= 100 && o.TestingPercent is >= 0 and <= 100 && o.ValidationPercent + o.TestingPercent <= 100,
            $"validation_percent {o.ValidationPercent} and testing_percent {o.TestingPercent} must be 0–100 and add up to at most 100");
        Check(o.UnknownFraction is >= 0 and <= 100, $"unknown fraction {o.UnknownFraction} must be 0 or more");
        Check(o.SilenceFraction is >= 0 and <= 100, $"silence fraction {o.SilenceFraction} must be 0 or more");
        return problems;
    }

    /// <summary>
    /// Checks every file's header in parallel, once: the bad ones with their diagnostic (in input order), and every good
    /// one's duration in seconds.
    /// </summary>
    private static (Dictionary<string, Diagnostic> Bad, Dictionary<string, double> Seconds) InspectAll(List<string> files)
    {
        var found = new Diagnostic?[files.Count];
        var durations = new double[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                var (format, frames) = WavReader.Inspect(files[i]);
                durations[i] = (double)frames / format.SampleRate;
            }
            catch (CompressException e)
            {
                found[i] = e.Diagnostics[0];
            }
        });

        var bad = new Dictionary<string, Diagnostic>(StringComparer.Ordinal);
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            if (found[i] is { } d)
            {
                bad.TryAdd(files[i], d);
            }
            else
            {
                seconds[files[i]] = durations[i];
            }
        }

        return (bad, seconds);
    }

    private static Result<LoadedDataset> Assemble(DatasetOptions o, List<DatasetCandidate> candidates, List<string> background, List<Diagnostic> diagnostics, string? specFile)
    {
        if (o.Transcripts is not null)
        {
            return AssembleTranscripts(candidates, background, diagnostics, specFile);
        }

        var index = o.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var hasUnknown = index.TryGetValue(DatasetOptions.UnknownLabel, out var unknownIndex);
        var hasSilence = index.TryGetValue(DatasetOptions.SilenceLabel, out var silenceIndex);
        bool IsWord(string w) => index.ContainsKey(w) && w != DatasetOptions.UnknownLabel && w != DatasetOptions.SilenceLabel;

        var unused = candidates.Where(c => !IsWord(c.Word)).ToList();
        if (!hasUnknown && unused.Count > 0)
        {
            diagnostics.Add(DataMessages.UnusedWords(specFile, unused.Count, unused.Select(c => c.Word).Distinct().Order(StringComparer.Ordinal)));
        }

        var missing = o.Labels.Where(l => IsWord(l) && !candidates.Any(c => c.Word == l)).ToList();
        if (missing.Count > 0)
        {
            return Result<LoadedDataset>.Fail([.. diagnostics, .. missing.Select(l => DataMessages.LabelWithoutExamples(specFile, l, o.Root))]);
        }

        var splits = new List<AudioItem>[3];
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            var inSplit = candidates.Where(c => c.Split == split).OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
            var items = inSplit.Where(c => IsWord(c.Word)).Select(c => new AudioItem(c.Path, index[c.Word], c.Word)).ToList();
            var known = items.Count;
            if (hasUnknown)
            {
                var pool = inSplit.Where(c => !IsWord(c.Word)).ToArray();
                new Random(unchecked((o.Seed * 7919) + (int)split)).Shuffle(pool);
                var take = Math.Min(pool.Length, (int)Math.Ceiling(known * o.UnknownFraction));
                items.AddRange(pool.Take(take).OrderBy(c => c.Path, StringComparer.Ordinal).Select(c => new AudioItem(c.Path, unknownIndex, DatasetOptions.UnknownLabel)));
            }

            if (hasSilence)
            {
                var silence = (int)Math.Ceiling(known * o.SilenceFraction);
                items.AddRange(Enumerable.Repeat(new AudioItem("", silenceIndex, DatasetOptions.SilenceLabel), silence));
            }

            if (items.Count == 0)
            {
                diagnostics.Add(DataMessages.EmptySplit(specFile, split.ToString().ToLowerInvariant()));
            }

            splits[(int)split] = items;
        }

        return Result<LoadedDataset>.Ok(new LoadedDataset([.. o.Labels], splits[0], splits[1], splits[2], background, diagnostics), diagnostics);
    }

    /// <summary>
    /// A CTC recogniser's data: every clip is an item whose label is its transcript; the labels are the distinct
    /// transcripts in ordinal order (no <c>_unknown_</c> or <c>_silence_</c> items are made).
    /// </summary>
    private static Result<LoadedDataset> AssembleTranscripts(List<DatasetCandidate> candidates, List<string> background, List<Diagnostic> diagnostics, string? specFile)
    {
        var transcripts = candidates.Select(c => c.Word).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = transcripts.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var splits = new List<AudioItem>[3];
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            splits[(int)split] = [.. candidates.Where(c => c.Split == split).OrderBy(c => c.Path, StringComparer.Ordinal).Select(c => new AudioItem(c.Path, index[c.Word], c.Word))];
            if (splits[(int)split].Count == 0)
            {
                diagnostics.Add(DataMessages.EmptySplit(specFile, split.ToString().ToLowerInvariant()));
            }
        }

        return Result<LoadedDataset>.Ok(new LoadedDataset(transcripts, splits[0], splits[1], splits[2], background, diagnostics), diagnostics);
    }
}
