using System.Globalization;

namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP3xxx diagnostics: audio files, datasets, features and their cache.</summary>
public static class DataMessages
{
    /// <summary>The file is not a RIFF/WAVE file.</summary>
    public const string NotWaveCode = "CMP3001";

    /// <summary>The WAVE file uses a codec or sample layout the reader does not decode (compressed, odd bit depth).</summary>
    public const string UnsupportedEncodingCode = "CMP3002";

    /// <summary>A chunk of the file ends before its declared size, or a required chunk is missing.</summary>
    public const string TruncatedCode = "CMP3003";

    /// <summary>The file's audio data is empty.</summary>
    public const string EmptyAudioCode = "CMP3004";

    /// <summary>A header field has an impossible value (zero channels, sample rate out of range, block size mismatch, huge chunk).</summary>
    public const string AbsurdHeaderCode = "CMP3005";

    /// <summary>The file cannot be opened or read.</summary>
    public const string UnreadableCode = "CMP3006";

    /// <summary>The clip is longer than the reader accepts (its header would make it allocate too much).</summary>
    public const string TooLongCode = "CMP3007";

    /// <summary>The dataset root, manifest or array file does not exist.</summary>
    public const string DatasetMissingCode = "CMP3101";

    /// <summary>A manifest line cannot be parsed.</summary>
    public const string ManifestLineCode = "CMP3102";

    /// <summary>A label listed in the spec has no examples in the dataset.</summary>
    public const string LabelWithoutExamplesCode = "CMP3103";

    /// <summary>A NumPy array file cannot be used (bad header, dtype, layout, or shapes that do not fit).</summary>
    public const string NpyInvalidCode = "CMP3104";

    /// <summary>Bad files were skipped because <c>on_bad_file: skip</c>.</summary>
    public const string BadFilesSkippedCode = "CMP3105";

    /// <summary>The dataset options are inconsistent (no labels, percentages out of range, missing paths).</summary>
    public const string InvalidDatasetOptionsCode = "CMP3106";

    /// <summary>A split of the dataset is empty.</summary>
    public const string EmptySplitCode = "CMP3107";

    /// <summary>Files of words that are not in the labels were left out because <c>_unknown_</c> is not a label.</summary>
    public const string UnusedWordsCode = "CMP3108";

    /// <summary>A manifest transcript has text that no CTC label spells (<c>task: ctc</c>).</summary>
    public const string TranscriptNotSpelledCode = "CMP3109";

    /// <summary>A transcribed clip is longer than <c>features.clip_seconds</c>: its end, and the words in it, would be cut (<c>task: ctc</c>).</summary>
    public const string TranscribedClipTooLongCode = "CMP3110";

    /// <summary>The <c>ctc.grammar</c> file has no phrase.</summary>
    public const string EmptyGrammarCode = "CMP3111";

    /// <summary>The front-end options are inconsistent (window longer than n_fft or the clip, bad mel range).</summary>
    public const string InvalidFrontEndCode = "CMP3201";

    /// <summary>The front-end cannot be prepended to the model (inputs or shapes do not fit).</summary>
    public const string PrependMismatchCode = "CMP3202";

    /// <summary>A feature cache file is unreadable or does not match its key; it is rebuilt.</summary>
    public const string CacheRebuiltCode = "CMP3203";

    internal static Diagnostic NotWave(string file, string detail) => Diagnostic.Error(
        NotWaveCode, $"not a RIFF/WAVE file: {detail}", file);

    internal static Diagnostic UnsupportedEncoding(string file, string detail) => Diagnostic.Error(
        UnsupportedEncodingCode, $"unsupported WAVE encoding: {detail}; supported are PCM 8/16/24/32-bit, IEEE float 32/64-bit and 8-bit µ-law/A-law (convert with: sox in.wav -b 16 out.wav)", file);

    internal static Diagnostic Truncated(string file, string detail) => Diagnostic.Error(
        TruncatedCode, $"truncated WAVE file: {detail}", file);

    internal static Diagnostic EmptyAudio(string file) => Diagnostic.Error(
        EmptyAudioCode, "the WAVE file has no audio samples", file);

    internal static Diagnostic TooLong(string file, double seconds, int maxSeconds) => Diagnostic.Error(
        TooLongCode, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the 'data' chunk holds {seconds:0.#} s of audio; clips may be at most {maxSeconds} s (cut long recordings into clips: sox in.wav out.wav trim 0 10 : newfile : restart)"), file);

    internal static Diagnostic AbsurdHeader(string file, string detail) => Diagnostic.Error(
        AbsurdHeaderCode, $"impossible WAVE header: {detail}", file);

    internal static Diagnostic Unreadable(string file, string detail) => Diagnostic.Error(
        UnreadableCode, $"cannot read the file: {detail}", file);

    internal static Diagnostic DatasetMissing(string path, string what) => Diagnostic.Error(
        DatasetMissingCode, $"the {what} does not exist", path);

    internal static Diagnostic ManifestLine(string file, int line, string detail) => Diagnostic.Error(
        ManifestLineCode, $"bad manifest line: {detail}; expected path,label[,split] with split train, validation or test", file, line);

    internal static Diagnostic TranscriptNotSpelled(string file, int line, string transcript, string unspelled) => Diagnostic.Error(
        TranscriptNotSpelledCode,
        $"transcript '{transcript}' (normalised) has {(unspelled == " " ? "a space, but no label is the word delimiter (ctc.word_delimiter)" : $"'{unspelled}', which no label spells")}; add the token to labels, or normalise the transcript",
        file,
        line);

    internal static Diagnostic EmptyGrammar(string file) => Diagnostic.Error(
        EmptyGrammarCode,
        "the grammar has no phrase (one per line; blank lines and lines starting with '#' are skipped); add the phrases the model should recognise, or remove ctc.grammar to decode greedily",
        file);

    internal static Diagnostic TranscribedClipTooLong(string file, double seconds, double clipSeconds) => Diagnostic.Error(
        TranscribedClipTooLongCode,
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the clip lasts {seconds:0.###} s but features.clip_seconds is {clipSeconds:0.###}: its end and the words in it would be cut from the features; raise clip_seconds or split the clip"),
        file);

    internal static Diagnostic LabelWithoutExamples(string? specFile, string label, string root) => Diagnostic.Error(
        LabelWithoutExamplesCode, $"label '{label}' has no examples under {root}", specFile);

    internal static Diagnostic NpyInvalid(string file, string detail) => Diagnostic.Error(
        NpyInvalidCode, $"cannot use the NumPy array: {detail}", file);

    internal static Diagnostic BadFilesSkipped(string? specFile, int count, int total) => Diagnostic.Warning(
        BadFilesSkippedCode, F($"skipped {count} bad file(s) of {total} (on_bad_file: skip)"), specFile);

    internal static Diagnostic InvalidDatasetOptions(string? specFile, string detail) => Diagnostic.Error(
        InvalidDatasetOptionsCode, $"invalid data options: {detail}", specFile);

    internal static Diagnostic EmptySplit(string? specFile, string split) => Diagnostic.Warning(
        EmptySplitCode, $"the {split} split is empty", specFile);

    internal static Diagnostic UnusedWords(string? specFile, int files, IEnumerable<string> words) => Diagnostic.Warning(
        UnusedWordsCode, F($"left out {files} file(s) of words not in the labels ({string.Join(", ", words)}); add _unknown_ to the labels to use them"), specFile);

    internal static Diagnostic InvalidFrontEnd(string detail) => Diagnostic.Error(
        InvalidFrontEndCode, $"invalid front-end: {detail}");

    internal static Diagnostic PrependMismatch(string detail) => Diagnostic.Error(
        PrependMismatchCode, $"cannot prepend the front-end to the model: {detail}");

    internal static Diagnostic CacheRebuilt(string file, string detail) => Diagnostic.Warning(
        CacheRebuiltCode, $"the feature cache is unusable and is rebuilt: {detail}", file);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
