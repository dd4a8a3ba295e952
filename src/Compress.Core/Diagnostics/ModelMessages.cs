namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP2xxx diagnostics: ONNX models, their tensors and operators.</summary>
public static class ModelMessages
{
    /// <summary>The model file does not exist or cannot be read.</summary>
    public const string ModelNotFoundCode = "CMP2001";

    /// <summary>The bytes are not an ONNX model: a protobuf parse failure (truncated, not ONNX) or a model without a graph.</summary>
    public const string NotOnnxCode = "CMP2002";

    /// <summary>The model's IR version is outside the supported range.</summary>
    public const string IrVersionOutOfRangeCode = "CMP2003";

    /// <summary>The model's default-domain (ai.onnx) opset is outside the supported range, or missing.</summary>
    public const string OpsetOutOfRangeCode = "CMP2004";

    /// <summary>An initializer's stored data does not match its shape and data type.</summary>
    public const string InitializerSizeMismatchCode = "CMP2005";

    /// <summary>A tensor's external data file is missing, outside the model's folder, or too short.</summary>
    public const string ExternalDataCode = "CMP2006";

    /// <summary>An operator (domain, type, opset) has no implementation in the executor.</summary>
    public const string UnsupportedOperatorCode = "CMP2101";

    /// <summary>A node's attribute is missing, of the wrong type, or has a value the operator does not support.</summary>
    public const string InvalidAttributeCode = "CMP2102";

    /// <summary>A node reads a value that no node, input or initializer produces, or the graph has a cycle.</summary>
    public const string BrokenGraphCode = "CMP2103";

    /// <summary>A tensor's data type is not supported by the executor.</summary>
    public const string UnsupportedDataTypeCode = "CMP2104";

    /// <summary>A tensor's stored data does not match its declared shape and type.</summary>
    public const string TensorDataMismatchCode = "CMP2105";

    /// <summary>A node failed while running (shapes that do not fit, a bad index...).</summary>
    public const string NodeFailedCode = "CMP2106";

    /// <summary>A parity check could not run the model in ONNX Runtime (or could not make its inputs).</summary>
    public const string ParityRuntimeFailedCode = "CMP2107";

    /// <summary>A parity check found an output where the executor and ONNX Runtime differ by more than 1e-4.</summary>
    public const string ParityMismatchCode = "CMP2108";

    /// <summary>ONNX Runtime cannot run the model on the spec's data (usually an input shape that does not fit the features).</summary>
    public const string DataRunFailedCode = "CMP2109";

    /// <summary>Before training, the executor (libtorch) does not reproduce ONNX Runtime on the input model: its native kernels compute wrong numbers here.</summary>
    public const string NativeKernelMismatchCode = "CMP2110";

    /// <summary>The copy of a batch-1 model made to run batches does not compute what the file computes one clip at a time.</summary>
    public const string BatchNotEquivalentCode = "CMP2130";

    /// <summary>The exported file (the user's signature: batch 1, own layout, extra inputs) does not reproduce the batched copy that was measured.</summary>
    public const string ShippedTwinMismatchCode = "CMP2131";

    /// <summary>A BatchNormalization exported in training mode (<c>training_mode=1</c> or the running-statistics outputs): it normalises with each batch's statistics, also at inference.</summary>
    public const string TrainingModeBatchNormCode = "CMP2120";

    /// <summary>The input model's weights are int8 already (behind DequantizeLinear): Compress trains float weights.</summary>
    public const string AlreadyQuantizedCode = "CMP2121";

    /// <summary>Where to read how to add an operator (shown with <see cref="UnsupportedOperatorCode"/>).</summary>
    public const string HowToAddOperator =
        "To add one, write a sealed class deriving from OnnxOperator with [OnnxOperator(\"OpType\", sinceVersion)] in src/Compress.Core/Graph/Operators (or register it with OperatorRegistry.Register for a custom domain) and add a parity case; see docs/operators.md.";

    internal static Diagnostic BatchNotEquivalent(string file, string nodes, string detail) => Diagnostic.Error(
        BatchNotEquivalentCode,
        $"the model's batch is fixed at 1, and a copy that runs batches does not compute what the file computes clip by clip ({detail}); the batch is fixed by {nodes}. Export the model with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={{'input': {{0: 'batch'}}, 'output': {{0: 'batch'}}}}); tf2onnx: a None batch dimension in the input signature)",
        file);

    internal static Diagnostic ShippedTwinMismatch(string file, string output, string detail) => Diagnostic.Error(
        ShippedTwinMismatchCode,
        $"the exported file, with the input signature it keeps, does not reproduce the batched copy that was trained and measured on output '{output}': {detail}",
        file);

    internal static Diagnostic ModelNotFound(string file, string detail) => Diagnostic.Error(
        ModelNotFoundCode, $"cannot read the ONNX model '{file}': {detail}", file);

    internal static Diagnostic NotOnnx(string? file, string detail) => Diagnostic.Error(
        NotOnnxCode, $"{Describe(file)} is not a valid ONNX model: {detail}", file);

    internal static Diagnostic IrVersionOutOfRange(string? file, long irVersion, long min, long max) => Diagnostic.Error(
        IrVersionOutOfRangeCode, $"{Describe(file)} has IR version {irVersion}; supported IR versions are {min}-{max}", file);

    internal static Diagnostic OpsetOutOfRange(string? file, long? opset, long min, long max) => Diagnostic.Error(
        OpsetOutOfRangeCode,
        opset is { } v
            ? $"{Describe(file)} imports ai.onnx opset {v}; supported opsets are {min}-{max} (convert it, e.g. with onnx.version_converter)"
            : $"{Describe(file)} imports no ai.onnx opset; supported opsets are {min}-{max}",
        file);

    internal static Diagnostic InitializerSizeMismatch(string? file, string tensor, string detail) => Diagnostic.Error(
        InitializerSizeMismatchCode, $"{Describe(file)}: initializer '{tensor}' {detail}", file, node: tensor);

    internal static Diagnostic ExternalData(string? file, string tensor, string detail) => Diagnostic.Error(
        ExternalDataCode, $"{Describe(file)}: external data of tensor '{tensor}': {detail}", file, node: tensor);

    internal static Diagnostic UnsupportedOperator(string? file, string node, string domain, string opType, long opset, IEnumerable<string> supported) => Diagnostic.Error(
        UnsupportedOperatorCode,
        $"{UnsupportedOperatorText(domain, opType, opset)}. {SupportedOperatorsText(supported)}. {HowToAddOperator}",
        file,
        node: node);

    /// <summary>The first sentence of <see cref="UnsupportedOperatorCode"/>: which operator is missing.</summary>
    internal static string UnsupportedOperatorText(string domain, string opType, long opset) =>
        $"operator {(domain.Length == 0 ? "ai.onnx" : domain)}.{opType} (opset {opset}) is not supported";

    /// <summary>The list of supported operators shown with <see cref="UnsupportedOperatorCode"/>.</summary>
    internal static string SupportedOperatorsText(IEnumerable<string> supported) => $"Supported: {string.Join(" ", supported)}";

    internal static Diagnostic ParityRuntimeFailed(string? file, string detail) => Diagnostic.Error(
        ParityRuntimeFailedCode, $"parity check: ONNX Runtime cannot run the model: {detail}", file);

    internal static Diagnostic AlreadyQuantized(string? file, IReadOnlyList<string> weights) => Diagnostic.Error(
        AlreadyQuantizedCode,
        $"the model is quantized already: {weights.Count} weight(s) are int8 behind DequantizeLinear ({string.Join(", ", weights.Take(3).Select(w => $"'{w}'"))}{(weights.Count > 3 ? ", ..." : "")}); Compress prunes and fine-tunes float weights — give it the float model, and set quantize.weights: int8 to get int8 weights that keep the pruned zeros",
        file);

    internal static Diagnostic DataRunFailed(string? file, string what, string detail) => Diagnostic.Error(
        DataRunFailedCode, $"ONNX Runtime cannot run {what} on the data: {detail}; check that features (kind, frames, bins, prepend) fit the model's input", file);

    internal static Diagnostic NativeKernelMismatch(string? file, string output, string detail, string machine) => Diagnostic.Error(
        NativeKernelMismatchCode,
        $"before training, the executor does not reproduce ONNX Runtime on the input model: output '{output}' {detail}. Training would run on wrong numbers, so nothing was trained. This machine: {machine}; see docs/native-runtime.md (dotnet compress doctor runs the convolution self-test)",
        file,
        node: output);

    internal static Diagnostic ParityMismatch(string? file, string output, string detail) => Diagnostic.Error(
        ParityMismatchCode, $"parity check: output '{output}' differs between the executor and ONNX Runtime beyond 1e-4: {detail}", file, node: output);

    internal static Diagnostic InvalidAttribute(string node, string opType, string detail) => Diagnostic.Error(
        InvalidAttributeCode, $"{opType}: {detail}", node: node);

    internal static Diagnostic TrainingModeBatchNorm(string node, string how) => Diagnostic.Error(
        TrainingModeBatchNormCode,
        $"BatchNormalization: the model was exported in training mode ({how}), so this node normalises each batch with that batch's own statistics, also at inference, instead of the running mean and variance; compressing it would train and ship that behaviour. Re-export it for inference: call model.eval() before torch.onnx.export and pass training=torch.onnx.TrainingMode.EVAL (or PRESERVE after model.eval())",
        node: node);

    internal static Diagnostic BrokenGraph(string? node, string detail, string? file = null) => Diagnostic.Error(
        BrokenGraphCode, detail, file, node: node);

    /// <param name="dataTypeName">The ONNX name of <paramref name="dataType"/> (e.g. <c>Complex64</c>), or "unknown".</param>
    internal static Diagnostic UnsupportedDataType(string tensor, int dataType, string dataTypeName) => Diagnostic.Error(
        UnsupportedDataTypeCode, $"tensor '{tensor}' has data type {dataType} ({dataTypeName}), which the executor does not support", node: tensor);

    internal static Diagnostic TensorDataMismatch(string tensor, string detail) => Diagnostic.Error(
        TensorDataMismatchCode, $"tensor '{tensor}': {detail}", node: tensor);

    internal static Diagnostic NodeFailed(string node, string opType, string detail) => Diagnostic.Error(
        NodeFailedCode, $"{opType} failed: {detail}", node: node);

    private static string Describe(string? file) => file is null ? "the model" : $"'{file}'";
}
