using System.Globalization;

namespace Compress.Spec.Parsing;

/// <summary>An allowed interval of numbers, able to say itself ("in [0, 1)", "at least 1", "greater than 0").</summary>
internal readonly record struct NumberRange(double Min, bool MinInclusive, double Max, bool MaxInclusive)
{
    public static NumberRange Any { get; } = new(double.NegativeInfinity, false, double.PositiveInfinity, false);

    /// <summary>[min, max].</summary>
    public static NumberRange Closed(double min, double max) => new(min, true, max, true);

    /// <summary>[min, max).</summary>
    public static NumberRange HalfOpen(double min, double max) => new(min, true, max, false);

    /// <summary>(min, max].</summary>
    public static NumberRange OpenClosed(double min, double max) => new(min, false, max, true);

    /// <summary>(min, max).</summary>
    public static NumberRange Open(double min, double max) => new(min, false, max, false);

    /// <summary>≥ min.</summary>
    public static NumberRange AtLeast(double min) => new(min, true, double.PositiveInfinity, false);

    /// <summary>&gt; min.</summary>
    public static NumberRange Above(double min) => new(min, false, double.PositiveInfinity, false);

    public bool Contains(double value) =>
        (MinInclusive ? value >= Min : value > Min) && (MaxInclusive ? value <= Max : value < Max);

    /// <summary>Text for messages; <paramref name="integer"/> prefixes "an integer".</summary>
    public string Describe(bool integer)
    {
        var what = integer ? "an integer " : "a number ";
        if (double.IsPositiveInfinity(Max))
        {
            return what + (MinInclusive ? $"at least {F(Min)}" : $"greater than {F(Min)}");
        }

        return what + $"in {(MinInclusive ? '[' : '(')}{F(Min)}, {F(Max)}{(MaxInclusive ? ']' : ')')}";
    }

    public static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
