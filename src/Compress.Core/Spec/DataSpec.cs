using Compress.Data;

namespace Compress.Spec;

/// <summary><c>data:</c> where the labelled data come from and how they are split. Paths are absolute.</summary>
public sealed record DataSpec
{
    /// <summary>Layout of the data. Default <see cref="DatasetFormat.SpeechCommands"/>.</summary>
    public DatasetFormat Format { get; init; } = DatasetFormat.SpeechCommands;

    /// <summary>The dataset folder (<c>speech_commands</c>: required; <c>manifest</c>: base of relative clip paths, default (filled in) the manifest's folder).</summary>
    public string? Root { get; init; }

    /// <summary>The CSV/TSV manifest (<c>manifest</c> format: required).</summary>
    public string? Manifest { get; init; }

    /// <summary>The <c>.npy</c> float32/float16 features <c>[N, ...]</c> (<c>npy</c> format: required).</summary>
    public string? Features { get; init; }

    /// <summary>The <c>.npy</c> integer labels <c>[N]</c> (<c>npy</c> format: required).</summary>
    public string? Labels { get; init; }

    /// <summary>Percentage (0–100) of clips in the validation split when no list/split column says. Default 10.</summary>
    public double ValidationPercent { get; init; } = DatasetOptions.DefaultValidationPercent;

    /// <summary>Percentage (0–100) of clips in the test split when no list/split column says. Default 10.</summary>
    public double TestingPercent { get; init; } = DatasetOptions.DefaultTestingPercent;

    /// <summary><c>_unknown_</c> clips per known-word clip in each split, in [0, 1]; used when labels contain <c>_unknown_</c>. Default 0.1.</summary>
    public double UnknownFraction { get; init; } = DatasetOptions.DefaultUnknownFraction;

    /// <summary><c>_silence_</c> clips per known-word clip in each split, in [0, 1]; used when labels contain <c>_silence_</c>. Default 0.1.</summary>
    public double SilenceFraction { get; init; } = DatasetOptions.DefaultSilenceFraction;

    /// <summary>What to do after reporting unreadable audio files. Default <see cref="BadFilePolicy.Fail"/>.</summary>
    public BadFilePolicy OnBadFile { get; init; } = DatasetOptions.DefaultOnBadFile;

    /// <summary>Training-split augmentation; null = none (the <c>augmentation:</c> key is absent).</summary>
    public AugmentationSpec? Augmentation { get; init; }

    /// <summary>Folder of the content-hashed feature cache. Default <c>.compress/cache</c> next to the spec.</summary>
    public required string Cache { get; init; }

    /// <summary>Where the <c>data:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}

/// <summary>
/// <c>data.augmentation:</c> seeded, reproducible augmentation of the training split only. Every kind is off
/// until set (a zero disables it).
/// </summary>
public sealed record AugmentationSpec
{
    /// <summary>Augmented variants made of each training clip per epoch, ≥ 1. Default 1.</summary>
    public int Copies { get; init; } = 1;

    /// <summary>Largest random time shift in milliseconds, ≥ 0 (shift drawn uniformly in ±this). Default 0 (off).</summary>
    public double TimeShiftMs { get; init; }

    /// <summary>Probability in [0, 1] of mixing in background noise. Default 0 (off).</summary>
    public double NoiseProbability { get; init; }

    /// <summary>Lower bound of the signal-to-noise ratio in dB the noise is mixed at. Default 0.</summary>
    public double SnrDbMin { get; init; }

    /// <summary>Upper bound of the signal-to-noise ratio in dB (≥ <see cref="SnrDbMin"/>). Default 20.</summary>
    public double SnrDbMax { get; init; } = 20;

    /// <summary>Largest random gain change in dB, ≥ 0 (drawn uniformly in ±this). Default 0 (off).</summary>
    public double GainDb { get; init; }

    /// <summary>Largest speed change in percent, in [0, 50) (drawn uniformly in ±this). Default 0 (off).</summary>
    public double SpeedPercent { get; init; }

    /// <summary>SpecAugment time masks per clip, ≥ 0. Default 0 (off).</summary>
    public int TimeMasks { get; init; }

    /// <summary>SpecAugment frequency masks per clip, ≥ 0. Default 0 (off).</summary>
    public int FreqMasks { get; init; }

    /// <summary>Where the <c>augmentation:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
