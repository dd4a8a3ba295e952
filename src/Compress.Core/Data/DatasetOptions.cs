namespace Compress.Data;

/// <summary>How a dataset is laid out on disk.</summary>
public enum DatasetFormat
{
    /// <summary><c>&lt;root&gt;/&lt;label&gt;/*.wav</c>, <c>_background_noise_/</c>, optional validation_list.txt / testing_list.txt.</summary>
    [SpecName("speech_commands")] SpeechCommands,

    /// <summary>A CSV or TSV manifest with columns <c>path,label[,split]</c>.</summary>
    [SpecName("manifest")] Manifest,

    /// <summary>Precomputed features in NumPy .npy files (float32/float16 [N, ...]) with int labels [N].</summary>
    [SpecName("npy")] Npy,
}

/// <summary>What the loader does with files it cannot decode (every one is reported either way).</summary>
public enum BadFilePolicy
{
    /// <summary>Report every bad file, then fail.</summary>
    [SpecName("fail")] Fail,

    /// <summary>Report every bad file as a warning and leave it out.</summary>
    [SpecName("skip")] Skip,
}

/// <summary>
/// The spec's <c>data:</c> section. <see cref="Labels"/> are the model's outputs in order; <c>_unknown_</c> and
/// <c>_silence_</c> among them follow the Speech Commands conventions: each split gets
/// ceil(<see cref="UnknownFraction"/> · known items) unknown items (other words, seeded choice) and
/// ceil(<see cref="SilenceFraction"/> · known items) silence items (background noise, or zeros without any).
/// <see cref="ValidationPercent"/> and <see cref="TestingPercent"/> (0–100) drive the hashing rule when no split
/// lists or split column exist. Relative <see cref="Manifest"/>, <see cref="FeaturesPath"/> and
/// <see cref="LabelsPath"/> are under <see cref="Root"/>; a <c>{split}</c> in the .npy paths selects one file per split
/// (train, validation, test).
/// </summary>
public sealed record DatasetOptions(
    DatasetFormat Format,
    string Root,
    IReadOnlyList<string> Labels,
    string? Manifest = null,
    string? FeaturesPath = null,
    string? LabelsPath = null,
    double UnknownFraction = DatasetOptions.DefaultUnknownFraction,
    double SilenceFraction = DatasetOptions.DefaultSilenceFraction,
    int ValidationPercent = DatasetOptions.DefaultValidationPercent,
    int TestingPercent = DatasetOptions.DefaultTestingPercent,
    BadFilePolicy OnBadFile = DatasetOptions.DefaultOnBadFile,
    int Seed = 1)
{
    /// <summary>
    /// Set for a CTC recogniser (<c>task: ctc</c>): the manifest's second column is a transcript, normalised and spelled
    /// in <see cref="TranscriptOptions.Vocabulary"/> (a line that cannot be spelled is CMP3109). The dataset's labels are
    /// then its distinct normalised transcripts (ordinal order) and <see cref="Labels"/> is not used. Null for classifiers.
    /// </summary>
    public TranscriptOptions? Transcripts { get; init; }

    // The defaults below are the only copies: the spec parser, the spec records, SpecTemplate (`init`) and
    // docs/compress-yaml.md use or are tested against them (SpecDefaultsTests).

    /// <summary>Default <see cref="UnknownFraction"/> (<c>_unknown_</c> items per known item in each split): 0.1.</summary>
    public const double DefaultUnknownFraction = 0.1;

    /// <summary>Default <see cref="SilenceFraction"/> (<c>_silence_</c> items per known item in each split): 0.1.</summary>
    public const double DefaultSilenceFraction = 0.1;

    /// <summary>Default <see cref="ValidationPercent"/> (percent of items hashed into validation): 10.</summary>
    public const int DefaultValidationPercent = 10;

    /// <summary>Default <see cref="TestingPercent"/> (percent of items hashed into test): 10.</summary>
    public const int DefaultTestingPercent = 10;

    /// <summary>Default <see cref="OnBadFile"/> (<c>data.on_bad_file</c>): fail.</summary>
    public const BadFilePolicy DefaultOnBadFile = BadFilePolicy.Fail;

    /// <summary>The Speech Commands label for words that are not in <see cref="Labels"/>.</summary>
    public const string UnknownLabel = "_unknown_";

    /// <summary>The Speech Commands label for clips without speech.</summary>
    public const string SilenceLabel = "_silence_";

    /// <summary>The Speech Commands folder of long noise recordings.</summary>
    public const string BackgroundNoiseFolder = "_background_noise_";
}

/// <summary>How a manifest's transcripts are read (<see cref="DatasetOptions.Transcripts"/>).</summary>
/// <param name="Normalization">Applied to every transcript before it is spelled.</param>
/// <param name="Vocabulary">The model's output tokens, which must spell every normalised transcript.</param>
/// <param name="MaxSeconds">
/// The clip length the front end fits every clip to (<c>features.clip_seconds</c>); a transcribed clip longer than this
/// would lose the words at its end, so it is CMP3110. 0 = not checked.
/// </param>
public sealed record TranscriptOptions(Text.TextNormalization Normalization, Text.CtcVocabulary Vocabulary, double MaxSeconds = 0);
