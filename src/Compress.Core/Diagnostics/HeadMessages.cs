using System.Globalization;

namespace Compress.Diagnostics;

/// <summary>
/// Codes and texts of the output-head diagnostics (CMP1030–CMP1034): which graph output is trained and measured,
/// what kind of head produces it, and whether <c>labels</c> fit it. They are found by <c>validate</c> (at the spec's
/// lines) and again when a run plans (before any data is read).
/// </summary>
public static class HeadMessages
{
    /// <summary>The model has several outputs and none is named by <c>model.output</c>, or more than one could hold class scores.</summary>
    public const string OutputAmbiguousCode = "CMP1030";

    /// <summary><c>model.output</c> names a value that is not a graph output.</summary>
    public const string OutputNotFoundCode = "CMP1031";

    /// <summary>The labels do not fit the head: a sigmoid score needs one or two labels; a class head needs one label per class.</summary>
    public const string LabelsDoNotFitCode = "CMP1032";

    /// <summary>Warning: a Softmax/LogSoftmax is not over the class axis, so the output is trained as logits.</summary>
    public const string HeadAxisCode = "CMP1033";

    /// <summary>A Sigmoid output with several scores per clip (multi-label) cannot be trained as a single-label classifier.</summary>
    public const string MultiLabelSigmoidCode = "CMP1034";

    /// <summary>What to write when the output is ambiguous.</summary>
    public const string ChooseOutputAdvice = "name the one that holds the class scores with 'model.output'";

    /// <summary>The rule for the labels of a single sigmoid score.</summary>
    public const string SigmoidLabelsRule = "use one label (the positive class; every other clip is labelled _negative_) or two (negative first, positive second)";

    internal static Diagnostic OutputAmbiguous(ISourceLocation? at, IEnumerable<string> outputs) =>
        Error(at, OutputAmbiguousCode, $"the model has several outputs ({string.Join(", ", outputs)}); {ChooseOutputAdvice}");

    internal static Diagnostic OutputNotFound(ISourceLocation? at, string name, IEnumerable<string> outputs) =>
        Error(at, OutputNotFoundCode, $"'model.output' is '{name}', but the model's outputs are: {string.Join(", ", outputs)}");

    internal static Diagnostic SigmoidLabels(ISourceLocation? at, string output, int labels) =>
        Error(at, LabelsDoNotFitCode, F($"output '{output}' is a single sigmoid score: {SigmoidLabelsRule}; 'labels' lists {labels}"));

    internal static Diagnostic ClassCount(ISourceLocation? at, string output, string head, long classes, int labels) =>
        Error(at, LabelsDoNotFitCode, F($"output '{output}' is {head} over {classes} classes, but 'labels' lists {labels}: list one label per class, in output order"));

    internal static Diagnostic HeadAxis(ISourceLocation? at, string node, string opType, long axis) =>
        Diagnostic.Warning(HeadAxisCode, F($"{opType} node '{node}' is over axis {axis}, not the class axis (the last one); its output is trained as logits"), at?.File, at?.Line, at?.Column, node);

    internal static Diagnostic MultiLabelSigmoid(ISourceLocation? at, string output, string node, long scores) =>
        Error(at, MultiLabelSigmoidCode, F($"output '{output}' is a Sigmoid over {scores} scores per clip (multi-label, node '{node}'); Compress trains single-label classifiers: export the scores before the Sigmoid, or one sigmoid score for a wake word"), node);

    private static Diagnostic Error(ISourceLocation? at, string code, string message, string? node = null) =>
        Diagnostic.Error(code, message, at?.File, at?.Line, at?.Column, node);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
