namespace Compress.Runtime;

/// <summary>
/// One call of libtorch's float convolution exactly as the executor makes it: the operands' shapes (the input after
/// any asymmetric zero pad the executor applies first) and the attributes passed to <c>conv1d</c>/<c>conv2d</c>.
/// oneDNN picks its kernel from these, so a call with the same shape runs the same kernel.
/// </summary>
public sealed record ConvolutionShape(long[] Input, long[] Weight, bool Bias, long[] Strides, long[] Padding, long[] Dilations, long Groups)
{
    /// <summary>1 for Conv1d, 2 for Conv2d.</summary>
    public int SpatialRank => Input.Length - 2;

    /// <summary>E.g. "conv2d input [64, 64, 25, 20] weight [64, 1, 3, 3] stride 1,1 pad 1,1 dilation 1,1 group 64, bias".</summary>
    public override string ToString() =>
        $"conv{SpatialRank}d input [{string.Join(", ", Input)}] weight [{string.Join(", ", Weight)}] stride {string.Join(",", Strides)} "
        + $"pad {string.Join(",", Padding)} dilation {string.Join(",", Dilations)} group {Groups}{(Bias ? ", bias" : "")}";

    /// <summary>Same operand shapes and attributes, element by element (an open <see cref="OneDnnWindow"/> compares every convolution call: no strings).</summary>
    public bool Equals(ConvolutionShape? other) =>
        other is not null && Bias == other.Bias && Groups == other.Groups
        && Input.AsSpan().SequenceEqual(other.Input) && Weight.AsSpan().SequenceEqual(other.Weight)
        && Strides.AsSpan().SequenceEqual(other.Strides) && Padding.AsSpan().SequenceEqual(other.Padding)
        && Dilations.AsSpan().SequenceEqual(other.Dilations);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Bias);
        hash.Add(Groups);
        foreach (var values in new[] { Input, Weight, Strides, Padding, Dilations })
        {
            hash.Add(values.Length);
            foreach (var v in values)
            {
                hash.Add(v);
            }
        }

        return hash.ToHashCode();
    }
}

/// <summary>
/// Collects the convolutions the executor runs while it is active on this logical thread of execution (the executor's
/// <c>Conv</c> reports each call). Used to learn which convolution shapes a training run will compute, so that they can
/// be checked before libtorch's oneDNN kernels are trusted with them (<see cref="OneDnnVetting"/>).
/// </summary>
public sealed class ConvolutionRecorder : IDisposable
{
    private static readonly AsyncLocal<ConvolutionRecorder?> Active = new();
    private readonly ConvolutionRecorder? _previous;
    private readonly List<ConvolutionShape> _shapes = [];
    private readonly HashSet<ConvolutionShape> _seen = [];
    private readonly SortedSet<string> _unchecked = new(StringComparer.Ordinal);

    private ConvolutionRecorder()
    {
        _previous = Active.Value;
        Active.Value = this;
    }

    /// <summary>The distinct convolution shapes recorded, in the order first seen.</summary>
    public IReadOnlyList<ConvolutionShape> Shapes => _shapes;

    /// <summary>Operators that reached a oneDNN-capable libtorch kernel this recorder cannot describe (e.g. <c>ConvTranspose</c>).</summary>
    public IReadOnlyCollection<string> Unchecked => _unchecked;

    /// <summary>Starts recording on this logical thread; dispose to stop.</summary>
    public static ConvolutionRecorder Start() => new();

    /// <summary>Called by the executor before each convolution: records it, and lets an open <see cref="OneDnnWindow"/> see it; does nothing (and builds no shape) when neither is there.</summary>
    public static void Record(Func<ConvolutionShape> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (recorder, window) = (Active.Value, OneDnnWindow.Current);
        if (recorder is null && window is null)
        {
            return;
        }

        var call = shape();
        if (recorder is not null && recorder._seen.Add(call))
        {
            recorder._shapes.Add(call);
        }

        window?.Observe(call);
    }

    /// <summary>Called by executor operators whose libtorch kernel may be oneDNN's but which are not checked (<paramref name="operatorName"/>).</summary>
    public static void RecordUnchecked(string operatorName) => Active.Value?._unchecked.Add(operatorName);

    /// <inheritdoc />
    public void Dispose() => Active.Value = _previous;
}
