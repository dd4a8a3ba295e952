using Compress.Diagnostics;
using Compress.Onnx.Proto;

namespace Compress.Features;

/// <summary>One axis of a model input as <c>features.layout</c> names it.</summary>
public enum LayoutAxis
{
    /// <summary>The batch (always the first axis).</summary>
    [SpecName("batch")] Batch,

    /// <summary>A channel axis of size 1 (written <c>channel</c> or the literal <c>1</c>).</summary>
    [SpecName("channel")] Channel,

    /// <summary>Time: one step per front-end hop.</summary>
    [SpecName("frames")] Frames,

    /// <summary>Frequency: the mel bins (or MFCC coefficients).</summary>
    [SpecName("bins")] Bins,

    /// <summary>Raw audio samples (models taking PCM; no front end).</summary>
    [SpecName("samples")] Samples,
}

/// <summary>
/// The order of the axes of a model's feature input, e.g. <c>[batch, 1, frames, bins]</c> (what the front end
/// produces) or <c>[batch, bins, frames]</c> (a time-last TCN). The front end always produces
/// <see cref="Canonical"/>; where a model's layout differs, a Transpose in front of the model reorders the axes, so
/// the executor, ONNX Runtime and a prepended front end all see the same graph. Time and frequency are never
/// reordered by a Reshape.
/// </summary>
public sealed record InputLayout(IReadOnlyList<LayoutAxis> Axes)
{
    /// <summary>Layouts are equal when their axes are.</summary>
    public bool Equals(InputLayout? other) => other is not null && Axes.SequenceEqual(other.Axes);

    /// <inheritdoc />
    public override int GetHashCode() => Axes.Aggregate(17, (h, a) => (h * 31) + (int)a);

    /// <summary>The layout's rank.</summary>
    public int Rank => Axes.Count;

    /// <summary>
    /// The front end's layout at <paramref name="rank"/>: <c>[batch, frames, bins]</c> for 3, <c>[batch, 1, frames, bins]</c>
    /// for 4 (one unit channel axis per extra rank).
    /// </summary>
    public static InputLayout Canonical(int rank) =>
        new([LayoutAxis.Batch, .. Enumerable.Repeat(LayoutAxis.Channel, Math.Max(0, rank - 3)), LayoutAxis.Frames, LayoutAxis.Bins]);

    /// <summary>
    /// The problem with this layout as a feature layout, or null: the batch first, exactly one <c>frames</c> and one
    /// <c>bins</c>, the rest unit axes (<c>samples</c> is for raw-audio models, which take no layout).
    /// </summary>
    public string? Problem()
    {
        if (Axes.Count < 3 || Axes[0] != LayoutAxis.Batch || Axes.Count(a => a == LayoutAxis.Batch) != 1)
        {
            return "it must start with batch (once) and have at least three axes";
        }

        if (Axes.Contains(LayoutAxis.Samples))
        {
            return "samples is the axis of raw-audio models (features.kind none), which need no layout";
        }

        return Axes.Count(a => a == LayoutAxis.Frames) != 1 || Axes.Count(a => a == LayoutAxis.Bins) != 1
            ? "it must name frames once and bins once"
            : null;
    }

    /// <summary>
    /// The Transpose permutation (ONNX <c>perm</c>: output axis i takes input axis perm[i]) from <see cref="Canonical"/>
    /// of the same rank to this layout, or null when the layouts are the same (no Transpose needed). Unit axes keep
    /// their order.
    /// </summary>
    public long[]? PermutationFromCanonical()
    {
        var units = 1;
        var perm = new long[Rank];
        for (var i = 0; i < Rank; i++)
        {
            perm[i] = Axes[i] switch
            {
                LayoutAxis.Batch => 0,
                LayoutAxis.Frames => Rank - 2,
                LayoutAxis.Bins => Rank - 1,
                LayoutAxis.Channel or LayoutAxis.Samples => units++,
            };
        }

        return perm.Select((p, i) => p == i).All(x => x) ? null : perm;
    }

    /// <summary>The size each axis must have for <paramref name="frames"/> and <paramref name="bins"/> (null for batch).</summary>
    public IReadOnlyList<long?> Sizes(long frames, long bins) => Axes.Select(a => a switch
    {
        LayoutAxis.Batch => (long?)null,
        LayoutAxis.Channel => 1,
        LayoutAxis.Frames => frames,
        LayoutAxis.Bins => bins,
        LayoutAxis.Samples => null,
    }).ToList();

    /// <summary><c>[batch, 1, frames, bins]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Axes.Select(a => a switch
    {
        LayoutAxis.Batch => "batch",
        LayoutAxis.Channel => "1",
        LayoutAxis.Frames => "frames",
        LayoutAxis.Bins => "bins",
        LayoutAxis.Samples => "samples",
    })) + "]";

    /// <summary>
    /// The layout of <paramref name="input"/> for features of <paramref name="frames"/> × <paramref name="bins"/>:
    /// <paramref name="given"/> when its sizes fit the declared dims, else inferred from the dims — only when exactly one
    /// layout fits (a square frames = bins input fits two, unless its symbolic dim names say which is time). A
    /// model input of rank other than 3 or 4 without <paramref name="given"/> gets no layout (null, no problem): the
    /// front end's own matching applies.
    /// </summary>
    public static LayoutMatch Match(ValueInfoProto input, long frames, long bins, InputLayout? given)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dims = input.Type?.TensorType?.Shape?.Dim.Select(d => (Value: d.HasDimValue ? d.DimValue : (long?)null, Name: d.HasDimParam ? d.DimParam : null)).ToList();
        if (dims is null)
        {
            return new LayoutMatch(given, null, []);
        }

        var candidates = Candidates(dims.Count).Where(c => Fits(c, dims, frames, bins)).ToList();
        if (given is not null)
        {
            return given.Rank == dims.Count && Fits(given, dims, frames, bins)
                ? new LayoutMatch(given, null, candidates)
                : new LayoutMatch(null, LayoutProblem.Mismatch, candidates);
        }

        if (dims.Count is not (3 or 4))
        {
            return new LayoutMatch(null, null, []);
        }

        return candidates.Count switch
        {
            1 => new LayoutMatch(candidates[0], null, candidates),
            0 => new LayoutMatch(null, LayoutProblem.Mismatch, candidates),
            _ => new LayoutMatch(null, LayoutProblem.Ambiguous, candidates),
        };
    }

    /// <summary>
    /// The one rule <c>validate</c> and <c>run</c> share: the layout of <paramref name="input"/> for the front end
    /// <paramref name="o"/> (null when nothing is to match: raw audio, or an input of another rank without a given
    /// layout), or CMP1040/CMP1041 at <paramref name="at"/> (where <c>features.layout</c> is, or would be, written).
    /// </summary>
    public static (InputLayout? Layout, Diagnostic? Problem) Resolve(ValueInfoProto input, FrontEndOptions o, InputLayout? given, ISourceLocation at)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(o);
        if (o.Kind == FrontEndKind.None)
        {
            return (null, null);
        }

        var match = Match(input, o.Frames, o.Bins, given);
        var features = $"[batch, 1, {o.Frames} frames, {o.Bins} bins]";
        if (match.Problem is not { } problem)
        {
            return (match.Layout, null);
        }

        return problem switch
        {
            LayoutProblem.Mismatch => (null, SpecMessages.LayoutMismatch(at, input.Name, Describe(input), features, given?.ToString(), match.Candidates.Select(c => c.ToString()))),
            LayoutProblem.Ambiguous => (null, SpecMessages.LayoutAmbiguous(at, input.Name, Describe(input), match.Candidates.Select(c => c.ToString()))),
        };
    }

    /// <summary><c>[N, 40, 98]</c> with symbolic dims by name.</summary>
    public static string Describe(ValueInfoProto input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dims = input.Type?.TensorType?.Shape?.Dim;
        return dims is null ? "[?]" : "[" + string.Join(", ", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?")) + "]";
    }

    private static IEnumerable<InputLayout> Candidates(int rank)
    {
        if (rank < 3)
        {
            yield break;
        }

        // Batch first; frames and bins at any two of the other positions (either order); unit axes elsewhere.
        for (var f = 1; f < rank; f++)
        {
            for (var b = 1; b < rank; b++)
            {
                if (f != b)
                {
                    var axes = Enumerable.Repeat(LayoutAxis.Channel, rank).ToArray();
                    axes[0] = LayoutAxis.Batch;
                    axes[f] = LayoutAxis.Frames;
                    axes[b] = LayoutAxis.Bins;
                    yield return new InputLayout(axes);
                }
            }
        }
    }

    private static bool Fits(InputLayout layout, IReadOnlyList<(long? Value, string? Name)> dims, long frames, long bins)
    {
        var sizes = layout.Sizes(frames, bins);
        for (var i = 1; i < dims.Count; i++)
        {
            var (value, name) = dims[i];
            if (value is { } v ? v != sizes[i] : !NameFits(name, layout.Axes[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A symbolic dim fits time unless its name says frequency or channel (exporters name a dynamic time axis; unit axes are fixed).</summary>
    private static bool NameFits(string? name, LayoutAxis axis)
    {
        var n = (name ?? "").ToLowerInvariant();
        var frequency = n.Contains("freq", StringComparison.Ordinal) || n.Contains("bin", StringComparison.Ordinal) || n.Contains("mel", StringComparison.Ordinal) || n.Contains("feat", StringComparison.Ordinal);
        var channel = n.Contains("chan", StringComparison.Ordinal);
        return axis switch
        {
            LayoutAxis.Frames => !frequency && !channel,
            LayoutAxis.Bins => frequency,
            LayoutAxis.Channel => channel,
            LayoutAxis.Batch or LayoutAxis.Samples => false,
        };
    }
}

/// <summary>Why no layout was found.</summary>
public enum LayoutProblem
{
    /// <summary>No layout (or not the given one) fits the model input's dims.</summary>
    Mismatch,

    /// <summary>Several layouts fit (a square input); <c>features.layout</c> must say which.</summary>
    Ambiguous,
}

/// <summary>What <see cref="InputLayout.Match"/> found.</summary>
/// <param name="Layout">The layout to use, or null (then <paramref name="Problem"/> says why, or there is nothing to match).</param>
/// <param name="Candidates">Every layout that fits the dims (what a mismatched <c>features.layout</c> would need).</param>
public sealed record LayoutMatch(InputLayout? Layout, LayoutProblem? Problem, IReadOnlyList<InputLayout> Candidates);
