using System.Diagnostics;
using static TorchSharp.torch;

namespace Compress.Runtime;

/// <summary>
/// How far oneDNN's float32 result for one <see cref="ConvolutionShape"/> is from libtorch's float64 one (which oneDNN
/// does not compute: libtorch takes its own kernels for float64): the output, the input gradient and the weight
/// gradient of a random upstream gradient, each as max |error| / max(1, max |reference|).
/// </summary>
public sealed record ConvolutionCheck(ConvolutionShape Shape, double ForwardError, double InputGradientError, double WeightGradientError)
{
    /// <summary>Allowed relative error: float32 rounding is ~1e-6 here, oneDNN's wrong kernels are off by 0.1 to 14 (or NaN).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The largest of the three errors (NaN when any is NaN).</summary>
    public double Error => new[] { ForwardError, InputGradientError, WeightGradientError }.Aggregate((a, b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b));

    /// <summary>True when all three are within <see cref="Tolerance"/> (a NaN fails).</summary>
    public bool Passed => Error <= Tolerance;
}

/// <summary>What the engine decided for one fine-tuning under <c>COMPRESS_ONEDNN=auto</c>, and the checks behind it.</summary>
/// <param name="Setting">The process's setting: <c>off</c>, <c>on</c> or <c>auto</c>.</param>
/// <param name="Training">Whether libtorch's oneDNN was on while the model fine-tuned.</param>
/// <param name="Reason">One sentence: why.</param>
/// <param name="Checks">The convolution shapes checked (empty unless <c>auto</c> checked them).</param>
/// <param name="Seconds">Wall time of recording and checking.</param>
public sealed record OneDnnDecision(string Setting, bool Training, string Reason, IReadOnlyList<ConvolutionCheck> Checks, double Seconds)
{
    /// <summary>The decision when nothing was checked: oneDNN as the process's setting leaves it.</summary>
    public static OneDnnDecision Fixed(OneDnnGuardStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.Setting, status.Choice == OneDnnGuardChoice.UserEnabled, status.Choice switch
        {
            OneDnnGuardChoice.UserEnabled => $"{OneDnnGuard.Variable}=on",
            OneDnnGuardChoice.Unavailable => status.Reason,
            _ => $"{OneDnnGuard.Variable}={status.Setting}",
        }, [], 0);
    }
}

/// <summary>
/// <c>COMPRESS_ONEDNN=auto</c>: before a fine-tuning, runs every convolution shape it will compute (recorded by
/// <see cref="ConvolutionRecorder"/> from forward passes at each batch size it uses) through oneDNN in float32 and
/// through libtorch's own float64 kernels, forward and backward, and allows oneDNN for the fine-tuning only when every
/// shape agrees (<see cref="ConvolutionCheck.Tolerance"/>). oneDNN's wrong results depend on the shape, the CPU's
/// instruction set and the thread count, not on the values, so the same shapes on the same machine and threads run the
/// kernels checked; the values here are uniform random with a fixed seed.
/// <para>
/// The check flips libtorch's process-wide switch for the float32 pass, so it belongs to a process that runs one job
/// (see <see cref="OneDnnGuard.Unset"/>).
/// </para>
/// </summary>
public static class OneDnnVetting
{
    /// <summary>
    /// Checks <paramref name="shapes"/> with oneDNN on, then switches it off again. <paramref name="unchecked"/> names
    /// operators the recorder saw that may reach oneDNN but cannot be checked: with any, nothing is checked and the
    /// decision is off.
    /// </summary>
    public static OneDnnDecision Decide(IReadOnlyList<ConvolutionShape> shapes, IReadOnlyCollection<string> @unchecked) =>
        Decide(shapes, @unchecked, LibTorchWithOneDnn);

    /// <summary>As the public overload, with <paramref name="single"/> computing the float32 pass (tests give a wrong one).</summary>
    internal static OneDnnDecision Decide(IReadOnlyList<ConvolutionShape> shapes, IReadOnlyCollection<string> @unchecked, ConvolutionKernel single)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(@unchecked);
        var clock = Stopwatch.StartNew();
        if (@unchecked.Count > 0)
        {
            return new("auto", false, $"off: the model runs {string.Join(", ", @unchecked)}, whose oneDNN kernels are not checked", [], clock.Elapsed.TotalSeconds);
        }

        if (shapes.Count == 0)
        {
            return new("auto", false, "off: the model has no convolution, the only layers oneDNN would compute", [], clock.Elapsed.TotalSeconds);
        }

        if (!OneDnnGuard.CanSwitch)
        {
            return new("auto", false, "off: libtorch's oneDNN switch was not reached", [], clock.Elapsed.TotalSeconds);
        }

        var checks = Check(shapes, single);
        var wrong = checks.Where(c => !c.Passed).ToList();
        var reason = wrong.Count == 0
            ? $"on for fine-tuning: oneDNN computed all {checks.Count} convolution shape(s) it will run within {ConvolutionCheck.Tolerance:g1} of float64, forward and backward"
            : $"off: oneDNN computes {wrong.Count} of the {checks.Count} convolution shape(s) wrongly on this CPU, e.g. {wrong[0].Shape} (relative error {wrong[0].Error:g3})";
        return new("auto", wrong.Count == 0, reason, checks, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Checks each shape (oneDNN switched on for the float32 passes, off again afterwards).</summary>
    public static IReadOnlyList<ConvolutionCheck> Check(IReadOnlyList<ConvolutionShape> shapes) => Check(shapes, LibTorchWithOneDnn);

    /// <summary>The float32 convolution under test: <see cref="LibTorchWithOneDnn"/>, or in tests a deliberately wrong one.</summary>
    internal delegate Tensor ConvolutionKernel(ConvolutionShape shape, Tensor x, Tensor w, Tensor? b);

    /// <summary>libtorch's convolution; <see cref="Check(IReadOnlyList{ConvolutionShape}, ConvolutionKernel)"/> runs it, and its backward, with oneDNN switched on.</summary>
    internal static Tensor LibTorchWithOneDnn(ConvolutionShape shape, Tensor x, Tensor w, Tensor? b) => Forward(shape, x, w, b);

    /// <summary>Checks each shape with <paramref name="single"/> as the float32 convolution.</summary>
    internal static IReadOnlyList<ConvolutionCheck> Check(IReadOnlyList<ConvolutionShape> shapes, ConvolutionKernel single)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(single);
        TorchRuntime.Initialize();
        var results = new List<ConvolutionCheck>();
        var random = new Random(20261208);
        foreach (var shape in shapes)
        {
            using var scope = NewDisposeScope();
            var fanIn = shape.Weight.Skip(1).Aggregate(1L, (a, d) => a * d);
            var x = Values(random, shape.Input, 1.0);
            var w = Values(random, shape.Weight, 1.0 / Math.Sqrt(fanIn));
            var b = shape.Bias ? Values(random, [shape.Weight[0]], 0.1) : null;
            long[] outputShape;
            using (no_grad())
            {
                outputShape = Forward(shape, x, w, b).shape;
            }

            var upstream = Values(random, outputShape, 1.0);
            var reference = Run(Forward, shape, x, w, b, upstream);
            Outputs result;
            try
            {
                // Forward and backward both run with the switch on: libtorch chooses the backward's kernels when it runs.
                OneDnnGuard.Switch(true);
                result = Run(single, shape, x.to_type(ScalarType.Float32), w.to_type(ScalarType.Float32), b?.to_type(ScalarType.Float32), upstream.to_type(ScalarType.Float32));
            }
            finally
            {
                OneDnnGuard.Switch(false);
            }

            results.Add(new ConvolutionCheck(
                shape,
                RelativeError(result.Output, reference.Output),
                RelativeError(result.InputGradient, reference.InputGradient),
                RelativeError(result.WeightGradient, reference.WeightGradient)));
        }

        return results;
    }

    private sealed record Outputs(Tensor Output, Tensor InputGradient, Tensor WeightGradient);

    private static Tensor Forward(ConvolutionShape shape, Tensor x, Tensor w, Tensor? b) => shape.SpatialRank switch
    {
        1 => nn.functional.conv1d(x, w, b, shape.Strides[0], shape.Padding[0], shape.Dilations[0], shape.Groups),
        2 => nn.functional.conv2d(x, w, b, shape.Strides, shape.Padding, shape.Dilations, shape.Groups),
        _ => throw new ArgumentException($"{shape}: only 1-D and 2-D convolutions are checked", nameof(shape)),
    };

    private static Outputs Run(ConvolutionKernel convolution, ConvolutionShape shape, Tensor x, Tensor w, Tensor? b, Tensor upstream)
    {
        var xt = x.detach().requires_grad_();
        var wt = w.detach().requires_grad_();
        var y = convolution(shape, xt, wt, b);
        y.backward([upstream]);
        return new Outputs(y.detach(), xt.grad!, wt.grad!);
    }

    /// <summary>The self-test's uniform values in [-scale, scale], as a float64 tensor (no scalar arithmetic on tensors).</summary>
    private static Tensor Values(Random random, long[] shape, double scale) => tensor(ConvolutionSelfTest.Values(random, shape, scale), shape);

    /// <summary>max |actual − reference| / max(1, max |reference|), in C# (NaN propagates).</summary>
    private static double RelativeError(Tensor actual, Tensor reference)
    {
        var a = actual.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var r = reference.detach().contiguous().data<double>().ToArray();
        double error = 0, scale = 0;
        for (var i = 0; i < r.Length; i++)
        {
            var e = Math.Abs(a[i] - r[i]);
            error = double.IsNaN(e) || double.IsNaN(error) ? double.NaN : Math.Max(error, e);
            scale = Math.Max(scale, Math.Abs(r[i]));
        }

        return error / Math.Max(1, scale);
    }
}

/// <summary>
/// Holds libtorch's oneDNN switch on for a fine-tuning that <see cref="OneDnnVetting"/> cleared, and off again when
/// disposed, so that the shapes of what follows (a channel-pruned model's export check) are not run through kernels
/// nobody checked. While it is open every convolution the executor runs is compared with the checked shapes: one that
/// was not checked (a graph whose shapes depend on the data, say) switches oneDNN off for the rest of the window
/// before it runs, and is kept in <see cref="Unchecked"/>. Does nothing for a decision that keeps oneDNN off, or under
/// <c>COMPRESS_ONEDNN=on</c>. One window at a time: the switch is process-wide.
/// </summary>
public sealed class OneDnnWindow : IDisposable
{
    private static OneDnnWindow? s_current;
    private readonly HashSet<ConvolutionShape> _checked;
    private bool _on;

    private OneDnnWindow(bool on, IEnumerable<ConvolutionShape> @checked)
    {
        _on = on;
        _checked = [.. @checked];
    }

    /// <summary>The first convolution shape that ran while the window was open without having been checked (oneDNN was switched off before it ran); null when none did.</summary>
    public ConvolutionShape? Unchecked { get; private set; }

    /// <summary>The open window that holds oneDNN on, if any.</summary>
    internal static OneDnnWindow? Current => Volatile.Read(ref s_current);

    /// <summary>Switches oneDNN on when <paramref name="decision"/> is an <c>auto</c> decision to train with it.</summary>
    public static OneDnnWindow Open(OneDnnDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var on = decision is { Setting: "auto", Training: true };
        var window = new OneDnnWindow(on, decision.Checks.Where(c => c.Passed).Select(c => c.Shape));
        if (on)
        {
            if (Interlocked.CompareExchange(ref s_current, window, null) is not null)
            {
                throw new InvalidOperationException("another fine-tuning holds libtorch's oneDNN switch");
            }

            if (!OneDnnGuard.Switch(true))
            {
                s_current = null;
                throw new InvalidOperationException("libtorch did not switch oneDNN on");
            }
        }

        return window;
    }

    /// <summary>The decision as it ended: <paramref name="decision"/>, with the reason extended when an unchecked shape switched oneDNN off.</summary>
    public OneDnnDecision Outcome(OneDnnDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return Unchecked is null ? decision : decision with
        {
            Reason = $"{decision.Reason}; switched off during fine-tuning before a convolution that was not checked: {Unchecked}",
        };
    }

    /// <summary>Called before each convolution while the window is open (<see cref="ConvolutionRecorder.Record"/>).</summary>
    internal void Observe(ConvolutionShape shape)
    {
        if (_on && !_checked.Contains(shape))
        {
            OneDnnGuard.Switch(false);
            _on = false;
            Unchecked = shape;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (ReferenceEquals(Interlocked.CompareExchange(ref s_current, null, this), this))
        {
            OneDnnGuard.Switch(false);
        }
    }
}
