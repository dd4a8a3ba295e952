using System.Numerics;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>features:</c>; the default kind is <c>none</c> for npy data, else <c>log_mel</c>.</summary>
internal static class FeaturesReader
{
    private static readonly string[] FrontEndKeys = ["window_ms", "hop_ms", "n_fft", "mel_bins", "fmin", "fmax", "log_floor", "coefficients", "layout"];

    public static FeaturesSpec Read(SpecContext context, SectionReader root, DatasetFormat format)
    {
        var r = root.Section("features");
        var kind = r.Enum("kind", format == DatasetFormat.Npy ? FrontEndKind.None : FrontEndKind.LogMel);
        var sampleRate = r.Int("sample_rate", FrontEndOptions.DefaultSampleRate, NumberRange.Closed(1000, 192000));
        var spec = new FeaturesSpec
        {
            Kind = kind,
            SampleRate = sampleRate,
            ClipSeconds = r.Double("clip_seconds", FrontEndOptions.DefaultClipSeconds, NumberRange.OpenClosed(0, 60)),
            WindowMs = r.Double("window_ms", FrontEndOptions.DefaultWindowMs, NumberRange.OpenClosed(0, 1000)),
            HopMs = r.Double("hop_ms", FrontEndOptions.DefaultHopMs, NumberRange.OpenClosed(0, 1000)),
            NFft = r.Int("n_fft", FrontEndOptions.DefaultNFft, NumberRange.Closed(16, 65536)),
            MelBins = r.Int("mel_bins", FrontEndOptions.DefaultMelBins, NumberRange.Closed(1, 1024)),
            FMin = r.Double("fmin", FrontEndOptions.DefaultFMin, NumberRange.AtLeast(0)),
            FMax = r.Double("fmax", sampleRate / 2.0, NumberRange.Above(0)),
            LogFloor = r.Double("log_floor", FrontEndOptions.DefaultLogFloor, NumberRange.Open(0, 1)),
            Coefficients = r.Int("coefficients", FrontEndOptions.DefaultCoefficients, NumberRange.Closed(1, 1024)),
            Prepend = r.Bool("prepend", false),
            Layout = Layout(context, r),
            Location = r.Location,
        };
        Check(context, r, spec, format);
        r.Finish();
        return spec;
    }

    /// <summary><c>layout: [batch, 1, frames, bins]</c>: axis names (<c>1</c> is a unit channel axis).</summary>
    private static InputLayout? Layout(SpecContext context, SectionReader r)
    {
        var names = r.Strings("layout");
        if (names is null)
        {
            return null;
        }

        var axes = new List<LayoutAxis>();
        var allowed = SpecNames.All<LayoutAxis>().Append("1").ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var axis = names[i] == "1" ? LayoutAxis.Channel : SpecNames.Parse<LayoutAxis>(names[i]);
            if (axis is null)
            {
                context.Add(SpecMessages.InvalidChoice(context.Locations[$"features.layout[{i}]"], $"features.layout[{i}]", names[i], allowed, EditDistance.Suggest(names[i], allowed)));
                return null;
            }

            axes.Add(axis.Value);
        }

        var layout = new InputLayout(axes);
        if (layout.Problem() is { } problem)
        {
            context.Add(SpecMessages.LayoutInvalid(r.At("layout"), "[" + string.Join(", ", names) + "]", problem));
            return null;
        }

        return layout;
    }

    private static void Check(SpecContext context, SectionReader r, FeaturesSpec spec, DatasetFormat format)
    {
        if (format == DatasetFormat.Npy && spec.Kind != FrontEndKind.None)
        {
            context.Add(SpecMessages.Contradiction(r.At("kind"), $"'features.kind' must be none with data format npy (the arrays are the features), not {SpecNames.Of(spec.Kind)}"));
        }

        if (spec.Kind == FrontEndKind.None)
        {
            foreach (var key in FrontEndKeys.Where(r.Has))
            {
                context.Add(SpecMessages.NoEffect(r.KeyAt(key), r.Child(key), "with features.kind none"));
            }

            if (spec.Prepend)
            {
                context.Add(SpecMessages.Contradiction(r.At("prepend"), "'features.prepend' needs a front-end to prepend; features.kind is none"));
            }

            return;
        }

        if (spec.Kind == FrontEndKind.LogMel && r.Has("coefficients"))
        {
            context.Add(SpecMessages.NoEffect(r.KeyAt("coefficients"), r.Child("coefficients"), "with features.kind log_mel (it is the number of MFCCs)"));
        }

        if (spec.Kind == FrontEndKind.Mfcc && spec.Coefficients > spec.MelBins)
        {
            context.Add(SpecMessages.Contradiction(r.At("coefficients"), $"'features.coefficients' ({spec.Coefficients}) must not exceed 'features.mel_bins' ({spec.MelBins})"));
        }

        var nyquist = spec.SampleRate / 2.0;
        if (spec.FMax > nyquist)
        {
            context.Add(SpecMessages.Contradiction(r.At("fmax"), $"'features.fmax' ({NumberRange.F(spec.FMax)} Hz) must not exceed half the sample rate ({NumberRange.F(nyquist)} Hz)"));
        }
        else if (spec.FMin >= spec.FMax)
        {
            context.Add(SpecMessages.Contradiction(r.At("fmin"), $"'features.fmin' ({NumberRange.F(spec.FMin)} Hz) must be below 'features.fmax' ({NumberRange.F(spec.FMax)} Hz)"));
        }

        if (!BitOperations.IsPow2(spec.NFft))
        {
            context.Add(SpecMessages.OutOfRange(r.At("n_fft"), "features.n_fft", "a power of two", spec.NFft.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var window = (int)Math.Round(spec.SampleRate * spec.WindowMs / 1000);
        if (window > spec.NFft)
        {
            context.Add(SpecMessages.Contradiction(r.At(r.Has("n_fft") ? "n_fft" : "window_ms"), $"'features.n_fft' ({spec.NFft}) must be at least the window in samples ({window} = {NumberRange.F(spec.WindowMs)} ms at {spec.SampleRate} Hz)"));
        }

        if (spec.MelBins > (spec.NFft / 2) + 1)
        {
            context.Add(SpecMessages.Contradiction(r.At("mel_bins"), $"'features.mel_bins' ({spec.MelBins}) must not exceed n_fft/2 + 1 ({(spec.NFft / 2) + 1})"));
        }

        if (spec.WindowMs > spec.ClipSeconds * 1000)
        {
            context.Add(SpecMessages.Contradiction(r.At("window_ms"), $"'features.window_ms' ({NumberRange.F(spec.WindowMs)}) is longer than the clip ({NumberRange.F(spec.ClipSeconds * 1000)} ms)"));
        }
    }
}
