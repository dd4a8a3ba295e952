using System.Globalization;

namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP5xxx diagnostics: the accuracy gate.</summary>
public static class GateMessages
{
    /// <summary>The metric is below the gate's absolute <c>min</c>.</summary>
    public const string BelowMinCode = "CMP5001";

    /// <summary>The metric dropped more than <c>max_drop</c> (absolute) below the baseline.</summary>
    public const string DropTooLargeCode = "CMP5002";

    /// <summary>The metric dropped more than <c>max_relative_drop</c> (fraction of the baseline).</summary>
    public const string RelativeDropTooLargeCode = "CMP5003";

    /// <summary>A lower-is-better metric (e.g. false-reject rate) is above the gate's <c>max</c>.</summary>
    public const string AboveMaxCode = "CMP5004";

    internal static Diagnostic BelowMin(GateLocation at, string metric, double value, double min, double baseline, double sparsity) => Diagnostic.Error(
        BelowMinCode, F($"{metric} {value:0.000} is below min {min:0.000} (baseline {baseline:0.000}, sparsity {sparsity:0.00})"), at.File, at.Line, at.Column);

    internal static Diagnostic AboveMax(GateLocation at, string metric, double value, double max, double baseline, double sparsity) => Diagnostic.Error(
        AboveMaxCode, F($"{metric} {value:0.000} is above max {max:0.000} (baseline {baseline:0.000}, sparsity {sparsity:0.00})"), at.File, at.Line, at.Column);

    /// <param name="key">How the threshold is named: <c>max_drop</c>, or <c>max_increase</c> for a lower-is-better metric.</param>
    internal static Diagnostic DropTooLarge(GateLocation at, string metric, double value, double drop, double maxDrop, double baseline, double sparsity, string key = "max_drop") => Diagnostic.Error(
        DropTooLargeCode, F($"{metric} {value:0.000} is {drop:0.000} worse than baseline {baseline:0.000}, more than {key} {maxDrop:0.000} (sparsity {sparsity:0.00})"), at.File, at.Line, at.Column);

    internal static Diagnostic RelativeDropTooLarge(GateLocation at, string metric, double value, double relative, double maxRelative, double baseline, double sparsity) => Diagnostic.Error(
        RelativeDropTooLargeCode, F($"{metric} {value:0.000} is {relative * 100:0.0}% worse than baseline {baseline:0.000}, more than max_relative_drop {maxRelative * 100:0.0}% (sparsity {sparsity:0.00})"), at.File, at.Line, at.Column);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where the gate is written (the <c>gate:</c> key of compress.yaml), for diagnostics.</summary>
public sealed record GateLocation(string? File, int? Line, int? Column);
