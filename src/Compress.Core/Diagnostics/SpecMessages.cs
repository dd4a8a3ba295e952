namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP1xxx diagnostics: compress.yaml, <c>--set</c> overrides and the commands that read or write specs.</summary>
public static class SpecMessages
{
    /// <summary>The text is not valid YAML (or holds more than one document).</summary>
    public const string SyntaxCode = "CMP1001";

    /// <summary>A key the schema does not know (with a "did you mean" suggestion when one is close).</summary>
    public const string UnknownKeyCode = "CMP1002";

    /// <summary>A key written twice in the same mapping.</summary>
    public const string DuplicateKeyCode = "CMP1003";

    /// <summary>A value of the wrong type (a string where a number belongs, a list where a mapping belongs...).</summary>
    public const string WrongTypeCode = "CMP1004";

    /// <summary>A value that is not one of the allowed names.</summary>
    public const string InvalidChoiceCode = "CMP1005";

    /// <summary>A number outside its allowed range.</summary>
    public const string OutOfRangeCode = "CMP1006";

    /// <summary>A required key is missing.</summary>
    public const string MissingKeyCode = "CMP1007";

    /// <summary>Settings that contradict each other, or a key that has no effect with the other settings.</summary>
    public const string ContradictionCode = "CMP1008";

    /// <summary>The spec file cannot be read.</summary>
    public const string UnreadableCode = "CMP1009";

    /// <summary>A <c>--set</c> argument is not <c>key.path=value</c>.</summary>
    public const string BadOverrideCode = "CMP1010";

    /// <summary>A label is empty or listed twice.</summary>
    public const string BadLabelCode = "CMP1011";

    /// <summary>A file or folder the spec names does not exist.</summary>
    public const string PathNotFoundCode = "CMP1012";

    /// <summary>The model file is not a readable ONNX model.</summary>
    public const string ModelUnreadableCode = "CMP1013";

    /// <summary>The model does not fit the spec (input/output names, number of labels).</summary>
    public const string ModelMismatchCode = "CMP1014";

    /// <summary>A data folder problem found by <c>validate</c> (a label folder missing or without .wav files).</summary>
    public const string DataProblemCode = "CMP1015";

    /// <summary><c>init</c> would overwrite an existing spec.</summary>
    public const string SpecExistsCode = "CMP1016";

    /// <summary><c>init</c> could not infer something from the model or data folder and wrote a default.</summary>
    public const string InitGuessCode = "CMP1017";

    /// <summary>The tool was built without the pipeline (or evaluator) that a command needs.</summary>
    public const string NotAvailableCode = "CMP1018";

    /// <summary>The model's feature input does not fit the features in the given (or any) layout.</summary>
    public const string LayoutMismatchCode = "CMP1040";

    /// <summary>Several layouts fit the model's feature input (frames = bins); <c>features.layout</c> must say which.</summary>
    public const string LayoutAmbiguousCode = "CMP1041";

    /// <summary>A model input other than the features has no value in <c>model.inputs</c> (and no default initializer).</summary>
    public const string ExtraInputMissingCode = "CMP1042";

    /// <summary>A <c>model.inputs</c> entry cannot be used: no such input, or a value that does not fit its shape.</summary>
    public const string ExtraInputInvalidCode = "CMP1043";

    /// <summary><c>features.layout</c> is not a feature layout (batch first, frames and bins once each).</summary>
    public const string LayoutInvalidCode = "CMP1044";

    /// <summary>The spec is larger than <c>YamlLimits.MaxBytes</c>; it is not parsed.</summary>
    public const string TooLargeCode = "CMP1050";

    /// <summary>Collections nest deeper than <c>YamlLimits.MaxDepth</c> (checked before YamlDotNet sees the text).</summary>
    public const string TooDeepCode = "CMP1051";

    /// <summary>Too many anchors/aliases, or aliases that would expand to more than <c>YamlLimits.MaxExpandedNodes</c> nodes.</summary>
    public const string TooManyAliasesCode = "CMP1052";

    /// <summary>A scalar is longer than <c>YamlLimits.MaxScalarLength</c> characters.</summary>
    public const string ScalarTooLongCode = "CMP1053";

    internal static Diagnostic Syntax(ISourceLocation at, string detail) => Error(at, SyntaxCode, $"invalid YAML: {detail}");

    internal static Diagnostic TooLarge(ISourceLocation at, long bytes, long limit) => Error(at,
        TooLargeCode, $"the spec is {bytes} bytes, more than the limit of {limit} bytes; a compress.yaml is a few kilobytes");

    internal static Diagnostic TooDeep(ISourceLocation at, int limit) => Error(at,
        TooDeepCode, $"lists and mappings nest more than {limit} levels deep here; the spec nests at most 4");

    internal static Diagnostic TooManyAliases(ISourceLocation at, string detail) => Error(at, TooManyAliasesCode, detail);

    internal static Diagnostic ScalarTooLong(ISourceLocation at, int length, int limit) => Error(at,
        ScalarTooLongCode, $"a value of {length} characters, more than the limit of {limit}");

    internal static Diagnostic UnknownKey(ISourceLocation at, string path, string? suggestion, IEnumerable<string> known) => Error(at,
        UnknownKeyCode,
        suggestion is null
            ? $"unknown key '{path}'; expected one of: {string.Join(", ", known)}"
            : $"unknown key '{path}'; did you mean '{suggestion}'?");

    internal static Diagnostic DuplicateKey(ISourceLocation at, string path, ISourceLocation first) => Error(at,
        DuplicateKeyCode, $"duplicate key '{path}' (first written at line {first.Line})");

    internal static Diagnostic WrongType(ISourceLocation at, string path, string expected, string actual) => Error(at,
        WrongTypeCode, $"'{path}' must be {expected}, not {actual}");

    internal static Diagnostic InvalidChoice(ISourceLocation at, string path, string value, IEnumerable<string> allowed, string? suggestion) => Error(at,
        InvalidChoiceCode,
        $"'{path}' must be one of {string.Join(", ", allowed)}, not '{value}'" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));

    internal static Diagnostic OutOfRange(ISourceLocation at, string path, string range, string value) => Error(at,
        OutOfRangeCode, $"'{path}' must be {range}, not {value}");

    internal static Diagnostic MissingKey(ISourceLocation at, string path, string? reason = null) => Error(at,
        MissingKeyCode, $"missing required key '{path}'" + (reason is null ? "" : $" ({reason})"));

    internal static Diagnostic Contradiction(ISourceLocation at, string detail) => Error(at, ContradictionCode, detail);

    internal static Diagnostic NoEffect(ISourceLocation at, string path, string because) => Error(at,
        ContradictionCode, $"'{path}' has no effect {because}; remove it");

    internal static Diagnostic Unreadable(string file, string detail) => Diagnostic.Error(UnreadableCode, $"cannot read the spec: {detail}", file);

    internal static Diagnostic BadOverride(ISourceLocation at, string text) => Error(at,
        BadOverrideCode, $"'--set {text}' must have the form key.path=value (e.g. --set pruning.target_sparsity=0.8)");

    internal static Diagnostic EmptyLabel(ISourceLocation at, int index) => Error(at, BadLabelCode, $"labels[{index}] is empty");

    internal static Diagnostic DuplicateLabel(ISourceLocation at, string label, int first, int index) => Error(at,
        BadLabelCode, $"label '{label}' is listed twice (labels[{first}] and labels[{index}])");

    /// <summary>CMP1012 at <paramref name="at"/>.</summary>
    public static Diagnostic PathNotFound(ISourceLocation at, string path, string fullPath) => Error(at,
        PathNotFoundCode, $"'{path}' does not exist: {fullPath}");

    internal static Diagnostic ModelUnreadable(ISourceLocation at, string fullPath, string detail) => Error(at,
        ModelUnreadableCode, $"{fullPath} is not a readable ONNX model: {detail}");

    internal static Diagnostic ModelMismatch(ISourceLocation at, string detail) => Error(at, ModelMismatchCode, detail);

    /// <summary>CMP1040: <paramref name="input"/> (<paramref name="modelShape"/>) does not fit <paramref name="featureShape"/>.</summary>
    public static Diagnostic LayoutMismatch(ISourceLocation at, string input, string modelShape, string featureShape, string? given, IEnumerable<string> wouldNeed) => Error(at,
        LayoutMismatchCode,
        $"the model's input '{input}' is {modelShape}, but the features are {featureShape}" + (given is null ? "" : $" and features.layout is {given}")
        + (wouldNeed.ToList() is { Count: > 0 } layouts
            ? $"; the input needs features.layout: {string.Join(" or ", layouts)}"
            : "; no layout of frames and bins fits it: set features.mel_bins (or coefficients), clip_seconds and hop_ms to the model's sizes"));

    /// <summary>CMP1041: several layouts fit; lists them.</summary>
    public static Diagnostic LayoutAmbiguous(ISourceLocation at, string input, string modelShape, IEnumerable<string> candidates) => Error(at,
        LayoutAmbiguousCode,
        $"the model's input '{input}' is {modelShape}: frames and bins have the same size, so the layout cannot be inferred; set features.layout to one of {string.Join(", ", candidates)}");

    /// <summary>CMP1042: <paramref name="missing"/> need values; <paramref name="inputs"/> lists every input with its shape.</summary>
    public static Diagnostic ExtraInputMissing(ISourceLocation at, IEnumerable<string> missing, IEnumerable<string> inputs) => Error(at,
        ExtraInputMissingCode,
        $"the model has inputs besides the features that need a value: {string.Join(", ", missing)}; give each one under model.inputs (zeros, a number or a .npy file), e.g. 'inputs: {{{missing.First()}: zeros}}'. The model's inputs: {string.Join("; ", inputs)}");

    /// <summary>CMP1043: a <c>model.inputs</c> entry that cannot be used.</summary>
    public static Diagnostic ExtraInputInvalid(ISourceLocation at, string name, string detail) => Error(at,
        ExtraInputInvalidCode, $"model.inputs.{name}: {detail}");

    internal static Diagnostic LayoutInvalid(ISourceLocation at, string layout, string detail) => Error(at,
        LayoutInvalidCode, $"'features.layout' {layout} is not a feature layout: {detail} (e.g. [batch, 1, frames, bins] or [batch, bins, frames])");

    internal static Diagnostic DataProblem(ISourceLocation at, string detail, bool error) =>
        error ? Error(at, DataProblemCode, detail) : Warning(at, DataProblemCode, detail);

    /// <summary>CMP1016 for <paramref name="file"/>.</summary>
    public static Diagnostic SpecExists(string file) => Diagnostic.Error(
        SpecExistsCode, "the spec already exists; pass --force to overwrite it", file);

    internal static Diagnostic InitGuess(string file, string detail) => Diagnostic.Warning(InitGuessCode, detail, file);

    /// <summary>CMP1018: the tool lacks <paramref name="what"/>.</summary>
    public static Diagnostic NotAvailable(string what) => Diagnostic.Error(
        NotAvailableCode, $"this build of the tool has no {what}; install a complete Compress.Tool");

    private static Diagnostic Error(ISourceLocation at, string code, string message) =>
        Diagnostic.Error(code, message, at.File, at.Line, at.Column);

    private static Diagnostic Warning(ISourceLocation at, string code, string message) =>
        Diagnostic.Warning(code, message, at.File, at.Line, at.Column);
}
