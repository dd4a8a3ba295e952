using System.Globalization;

namespace Compress.Evaluation;

/// <summary>
/// An element passes when |actual − expected| ≤ <see cref="Absolute"/> + <see cref="Relative"/>·|expected|.
/// The parity bar between the executor and ONNX Runtime is <see cref="Parity"/> (1e-4 + 1e-5·|expected| on float32).
/// </summary>
public sealed record Tolerance(double Absolute, double Relative = 0)
{
    /// <summary>
    /// The executor-vs-ONNX Runtime bar: 1e-4 absolute plus 1e-5 of the expected value. The relative part only matters
    /// above 10: two float32 runtimes summing in another order differ by a few units in the last place, which at a logit
    /// of 442 (a collapsed model, measured) is already 3e-4; a wrong kernel is off by 0.1 and more (docs/native-runtime.md).
    /// </summary>
    public static Tolerance Parity { get; } = new(1e-4, 1e-5);

    /// <summary>
    /// How many steps of an 8-bit quantization of the output's own range (max − min over the batch, / 255) the runtimes
    /// may differ by on a model with int8 activations (<see cref="QuantizedOutput"/>).
    /// </summary>
    public const int QuantizedOutputSteps = 2;

    /// <summary>
    /// The bar for a float output of a model with int8 activations, where ONNX Runtime runs fused integer kernels and
    /// the executor the QDQ graph in float: <see cref="Parity"/> plus <see cref="QuantizedOutputSteps"/> steps of
    /// (max − min of <paramref name="reference"/>) / 255. The quantized tensors themselves agree exactly or within one
    /// step where a float difference falls on a rounding boundary; a step flipped upstream moves the output by a
    /// fraction of such a step, while a kernel computing something else (e.g. int16 saturation) moves it by tens.
    /// </summary>
    public static Tolerance QuantizedOutput(ReadOnlySpan<float> reference)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in reference)
        {
            if (float.IsFinite(v))
            {
                (min, max) = (Math.Min(min, v), Math.Max(max, v));
            }
        }

        var range = max > min ? max - min : 0;
        return new(Parity.Absolute + (QuantizedOutputSteps * range / 255.0), Parity.Relative);
    }

    /// <summary>Compares two equally long arrays; NaN matches NaN, infinities must match exactly.</summary>
    public Comparison Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, IReadOnlyList<long>? shape = null)
    {
        if (expected.Length != actual.Length)
        {
            return new Comparison(false, double.PositiveInfinity, double.PositiveInfinity, -1, this,
                $"length differs: expected {expected.Length} values, got {actual.Length}", shape);
        }

        double max = 0, sum = 0;
        var worst = -1;
        var failures = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double error;
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                error = double.IsNaN(e) && double.IsNaN(a) ? 0 : double.PositiveInfinity;
            }
            else if (double.IsInfinity(e) || double.IsInfinity(a))
            {
                error = e == a ? 0 : double.PositiveInfinity;
            }
            else
            {
                error = Math.Abs(a - e);
            }

            sum += double.IsInfinity(error) ? 0 : error;
            if (error > Absolute + (Relative * Math.Abs(e)))
            {
                failures++;
            }

            if (error > max || worst < 0)
            {
                max = error;
                worst = i;
            }
        }

        var mean = expected.Length == 0 ? 0 : sum / expected.Length;
        var detail = worst < 0 ? "empty" : string.Create(CultureInfo.InvariantCulture,
            $"{failures} of {expected.Length} values outside atol {Absolute:G3} rtol {Relative:G3}; max error {max:G4} at {Where(worst, shape)} (expected {expected[worst]:G7}, got {actual[worst]:G7}); mean error {mean:G4}");
        return new Comparison(failures == 0, max, mean, worst, this, detail, shape);
    }

    private static string Where(int flatIndex, IReadOnlyList<long>? shape)
    {
        if (shape is null || shape.Count == 0)
        {
            return $"[{flatIndex}]";
        }

        var index = new long[shape.Count];
        long rest = flatIndex;
        for (var d = shape.Count - 1; d >= 0; d--)
        {
            var size = Math.Max(1, shape[d]);
            index[d] = rest % size;
            rest /= size;
        }

        return $"[{string.Join(",", index)}]";
    }
}

/// <summary>The outcome of <see cref="Tolerance.Compare"/>, explaining itself in <see cref="Detail"/>.</summary>
public sealed record Comparison(bool Passed, double MaxError, double MeanError, int WorstIndex, Tolerance Tolerance, string Detail, IReadOnlyList<long>? Shape)
{
    /// <inheritdoc />
    public override string ToString() => (Passed ? "within tolerance: " : "OUT OF TOLERANCE: ") + Detail;
}
