namespace Compress.Graph;

/// <summary>
/// Registers an <see cref="OnnxOperator"/> class for an operator type from an opset version on. A class may carry
/// several attributes for the versions whose semantics it handles (it reads <see cref="OnnxNodeInfo.SinceVersion"/>);
/// the registry picks, for a model's opset, the highest <see cref="SinceVersion"/> not above it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class OnnxOperatorAttribute(string opType, int sinceVersion) : Attribute
{
    /// <summary>The ONNX operator type, e.g. <c>Conv</c>.</summary>
    public string OpType { get; } = opType;

    /// <summary>The first opset version with these semantics.</summary>
    public int SinceVersion { get; } = sinceVersion;

    /// <summary>The operator domain; empty for the default ONNX domain (<c>ai.onnx</c>).</summary>
    public string Domain { get; init; } = "";
}
