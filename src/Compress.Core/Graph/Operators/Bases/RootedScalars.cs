using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// Tensor arithmetic that hands libtorch only scalars the process keeps alive. TorchSharp 0.107's <c>a + b</c> is
/// <c>a.add(b, 1)</c> with an implicitly converted <see cref="Scalar"/> that nothing references once its handle is read,
/// so the garbage collector may finalize (free) it while libtorch is still reading it: the rare "Expected false to be
/// true" (c10::Scalar::toFloat) seen in GRU loops and on Add nodes, and "Unknown scalar type" on a Gather's
/// <c>indices &lt; 0</c>. A static scalar is never finalized: <see cref="Of(double)"/>/<see cref="Of(long)"/> keep one per
/// distinct constant (an operator's attributes, a shape's size) for the life of the process.
/// </summary>
internal static class RootedScalars
{
    private static readonly Scalar One = 1.ToScalar();
    private static readonly Scalar MinusOne = (-1).ToScalar();
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Longs = new();

    /// <summary>A floating-point scalar of <paramref name="value"/> that is never finalized.</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>An integer scalar of <paramref name="value"/> that is never finalized (integer tensors stay integer).</summary>
    public static Scalar Of(long value) => Longs.GetOrAdd(value, static v => v.ToScalar());

    /// <summary><paramref name="a"/> + <paramref name="b"/> (a rooted scalar, e.g. from <see cref="Of(double)"/>).</summary>
    public static Tensor Plus(this Tensor a, Scalar b) => a.add(b, One);

    /// <summary><paramref name="a"/> + <paramref name="b"/> with broadcasting (what <c>a + b</c> computes).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><paramref name="a"/> − <paramref name="b"/> with broadcasting (what <c>a - b</c> computes, whose hidden alpha is transient).</summary>
    public static Tensor Minus(this Tensor a, Tensor b) => a.add(b, MinusOne);

    /// <summary><paramref name="a"/> · <paramref name="value"/> (what <c>a * value</c> computes with a transient scalar).</summary>
    public static Tensor Times(this Tensor a, double value) => a.mul(Of(value));

    /// <summary><paramref name="a"/> / <paramref name="value"/> (what <c>a / value</c> computes with a transient scalar).</summary>
    public static Tensor DividedBy(this Tensor a, double value) => a.div(Of(value));

    /// <summary><paramref name="value"/> − <paramref name="a"/> (what <c>value - a</c> computes with transient scalars).</summary>
    public static Tensor Subtracted(this Tensor a, double value) => a.neg().add(Of(value), One);

    /// <summary>Adds <paramref name="b"/> to <paramref name="a"/> in place (what <c>a.add_(b)</c> does).</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>Adds <paramref name="b"/> (held by the caller) to <paramref name="a"/> in place (what <c>a.add_(b)</c> does, whose hidden alpha is transient).</summary>
    public static Tensor PlusInPlace(this Tensor a, Scalar b) => a.add_(b, One);
}
