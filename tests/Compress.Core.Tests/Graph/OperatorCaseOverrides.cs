using Compress.Evaluation;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// The one place where a parity case gets a tolerance other than <see cref="Tolerance.Parity"/>, each with its
/// reason. Keep entries sorted by case name.
/// </summary>
public static class OperatorCaseOverrides
{
    private static readonly Dictionary<string, (Tolerance Tolerance, string Reason)> Overrides = new(StringComparer.Ordinal)
    {
        // ["Case_Name"] = (new Tolerance(1e-3), "why the looser bar is right"),
    };

    public static Tolerance ToleranceFor(string caseName) =>
        Overrides.TryGetValue(caseName, out var o) ? o.Tolerance : Tolerance.Parity;
}
