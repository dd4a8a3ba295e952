namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP2xxx diagnostics: ONNX models, their tensors and operators.</summary>
public static class ModelMessages
{
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

    /// <summary>Where to read how to add an operator (shown with <see cref="UnsupportedOperatorCode"/>).</summary>
    public const string HowToAddOperator =
        "To add one, write a sealed class deriving from OnnxOperator with [OnnxOperator(\"OpType\", sinceVersion)] in src/Compress.Core/Graph/Operators (or register it with OperatorRegistry.Register for a custom domain) and add a parity case; see docs/operators.md.";

    internal static Diagnostic UnsupportedOperator(string? file, string node, string domain, string opType, long opset, IEnumerable<string> supported) => Diagnostic.Error(
        UnsupportedOperatorCode,
        $"operator {(domain.Length == 0 ? "ai.onnx" : domain)}.{opType} (opset {opset}) is not supported. Supported: {string.Join(" ", supported)}. {HowToAddOperator}",
        file,
        node: node);

    internal static Diagnostic InvalidAttribute(string node, string opType, string detail) => Diagnostic.Error(
        InvalidAttributeCode, $"{opType}: {detail}", node: node);

    internal static Diagnostic BrokenGraph(string? node, string detail) => Diagnostic.Error(
        BrokenGraphCode, detail, node: node);

    internal static Diagnostic UnsupportedDataType(string tensor, int dataType) => Diagnostic.Error(
        UnsupportedDataTypeCode, $"tensor '{tensor}' has data type {dataType} ({OnnxDataTypeName(dataType)}), which the executor does not support", node: tensor);

    internal static Diagnostic TensorDataMismatch(string tensor, string detail) => Diagnostic.Error(
        TensorDataMismatchCode, $"tensor '{tensor}': {detail}", node: tensor);

    internal static Diagnostic NodeFailed(string node, string opType, string detail) => Diagnostic.Error(
        NodeFailedCode, $"{opType} failed: {detail}", node: node);

    private static string OnnxDataTypeName(int dataType) =>
        Enum.IsDefined(typeof(Onnx.Proto.TensorProto.Types.DataType), dataType)
            ? ((Onnx.Proto.TensorProto.Types.DataType)dataType).ToString()
            : "unknown";
}
