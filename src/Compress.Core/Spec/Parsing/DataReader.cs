using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>data:</c> and its <c>augmentation:</c>.</summary>
internal static class DataReader
{
    private static readonly NumberRange Percent = NumberRange.HalfOpen(0, 100);
    private static readonly NumberRange Fraction = NumberRange.Closed(0, 1);

    public static DataSpec? Read(SpecContext context, SectionReader root, IReadOnlyList<string> labels)
    {
        var present = root.Node("data") is Yaml.YamlMapping;
        var r = root.Section("data");
        if (!root.Has("data"))
        {
            context.Add(SpecMessages.MissingKey(context.Top, "data"));
        }

        var format = r.Enum("format", DatasetFormat.SpeechCommands);
        var spec = new DataSpec
        {
            Format = format,
            Root = Path(context, r, "root"),
            Manifest = Path(context, r, "manifest"),
            Features = Path(context, r, "features"),
            Labels = Path(context, r, "labels"),
            ValidationPercent = r.Double("validation_percent", DatasetOptions.DefaultValidationPercent, Percent),
            TestingPercent = r.Double("testing_percent", DatasetOptions.DefaultTestingPercent, Percent),
            UnknownFraction = r.Double("unknown_fraction", DatasetOptions.DefaultUnknownFraction, Fraction),
            SilenceFraction = r.Double("silence_fraction", DatasetOptions.DefaultSilenceFraction, Fraction),
            OnBadFile = r.Enum("on_bad_file", DatasetOptions.DefaultOnBadFile),
            Augmentation = ReadAugmentation(context, r, format),
            Cache = Path(context, r, "cache") ?? context.Resolve(".compress/cache"),
            Location = r.Location,
        };

        if (spec is { Format: DatasetFormat.Manifest, Root: null, Manifest: { } manifest })
        {
            spec = spec with { Root = System.IO.Path.GetDirectoryName(manifest) };
        }

        if (present)
        {
            CheckFormatKeys(context, r, spec);
            CheckSplits(context, r, spec, labels);
        }

        r.Finish();
        return present ? spec : null;
    }

    private static string? Path(SpecContext context, SectionReader r, string key) => ModelReader.RequirePath(context, r, key);

    private static void CheckFormatKeys(SpecContext context, SectionReader r, DataSpec spec)
    {
        var format = SpecNames.Of(spec.Format);
        // Every format is listed without a discard arm so that a new DatasetFormat fails the build here (CS8509)
        // until it says which keys it needs (CS8524 is off repository-wide: Directory.Build.props says why).
        string[] required = spec.Format switch
        {
            DatasetFormat.SpeechCommands => ["root"],
            DatasetFormat.Manifest => ["manifest"],
            DatasetFormat.Npy => ["features", "labels"],
        };
        string[] allowed = spec.Format switch
        {
            DatasetFormat.SpeechCommands => ["root"],
            DatasetFormat.Manifest => ["manifest", "root"],
            DatasetFormat.Npy => ["features", "labels"],
        };
        foreach (var key in required.Where(k => !r.Has(k)))
        {
            context.Add(SpecMessages.MissingKey(r.Location, r.Child(key), $"format {format} needs it"));
        }

        foreach (var key in new[] { "root", "manifest", "features", "labels" }.Where(k => r.Has(k) && !allowed.Contains(k)))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), $"with format {format}"));
        }
    }

    private static void CheckSplits(SpecContext context, SectionReader r, DataSpec spec, IReadOnlyList<string> labels)
    {
        if (spec.ValidationPercent + spec.TestingPercent >= 100)
        {
            context.Add(SpecMessages.Contradiction(r.At("testing_percent"), $"'data.validation_percent' + 'data.testing_percent' must be below 100 so that training data remain, not {NumberRange.F(spec.ValidationPercent + spec.TestingPercent)}"));
        }

        foreach (var (key, label) in new[] { ("unknown_fraction", "_unknown_"), ("silence_fraction", "_silence_") })
        {
            if (r.Has(key) && !labels.Contains(label))
            {
                context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), $"because 'labels' has no {label}"));
            }
        }
    }

    private static AugmentationSpec? ReadAugmentation(SpecContext context, SectionReader data, DatasetFormat format)
    {
        var present = data.Node("augmentation") is Yaml.YamlMapping;
        var r = data.Section("augmentation");
        var snr = r.Pair("snr_db", NumberRange.Closed(-50, 100));
        var spec = new AugmentationSpec
        {
            Copies = r.Int("copies", 1, NumberRange.Closed(1, 100)),
            TimeShiftMs = r.Double("time_shift_ms", 0, NumberRange.Closed(0, 10000)),
            NoiseProbability = r.Double("noise_probability", 0, NumberRange.Closed(0, 1)),
            SnrDbMin = snr?.Low ?? 0,
            SnrDbMax = snr?.High ?? 20,
            GainDb = r.Double("gain_db", 0, NumberRange.Closed(0, 40)),
            SpeedPercent = r.Double("speed_percent", 0, NumberRange.HalfOpen(0, 50)),
            TimeMasks = r.Int("time_masks", 0, NumberRange.Closed(0, 100)),
            FreqMasks = r.Int("freq_masks", 0, NumberRange.Closed(0, 100)),
            Location = r.Location,
        };
        if (!present)
        {
            r.Finish();
            return null;
        }

        if (snr is { } pair && pair.Low > pair.High)
        {
            context.Add(SpecMessages.Contradiction(r.At("snr_db"), $"'data.augmentation.snr_db' must be [low, high] with low ≤ high, not [{NumberRange.F(pair.Low)}, {NumberRange.F(pair.High)}]"));
        }

        if (r.Has("snr_db") && spec.NoiseProbability == 0)
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("snr_db"), r.Child("snr_db"), "while 'data.augmentation.noise_probability' is 0"));
        }

        if (format == DatasetFormat.Npy)
        {
            foreach (var (key, on) in new[] { ("time_shift_ms", spec.TimeShiftMs > 0), ("noise_probability", spec.NoiseProbability > 0), ("gain_db", spec.GainDb > 0), ("speed_percent", spec.SpeedPercent > 0) })
            {
                if (on)
                {
                    context.Add(SpecMessages.Contradiction(r.At(key), $"'{r.Child(key)}' needs audio, but format npy supplies precomputed features; only time_masks and freq_masks apply"));
                }
            }
        }

        r.Finish();
        return spec;
    }
}
