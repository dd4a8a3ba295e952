namespace Compress.Spec;

/// <summary><c>model:</c> the ONNX model to compress.</summary>
public sealed record ModelSpec
{
    /// <summary>Absolute path of the <c>.onnx</c> file (written relative to the spec's folder). Required.</summary>
    public required string Path { get; init; }

    /// <summary>The graph input that receives audio or features; null = the only non-initializer input.</summary>
    public string? Input { get; init; }

    /// <summary>The graph output holding class scores (logits or probabilities); null = the first output.</summary>
    public string? Output { get; init; }

    /// <summary>Where the <c>model:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
