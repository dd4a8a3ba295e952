namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP6xxx diagnostics: export and output files.</summary>
public static class ExportMessages
{
    /// <summary>ONNX Runtime's outputs on the exported bytes differ from the executor's beyond the parity tolerance.</summary>
    public const string ParityMismatchCode = "CMP6001";

    /// <summary>An output file could not be written.</summary>
    public const string WriteFailedCode = "CMP6002";

    /// <summary>ONNX Runtime could not load the exported bytes.</summary>
    public const string ExportNotLoadableCode = "CMP6003";

    /// <summary>The compressed (and filtered) bytes do not decode to the exported model: an internal error, never shipped.</summary>
    public const string EmbeddingMismatchCode = "CMP6004";

    /// <summary><c>quantize.weights: int8</c> on a model whose opset predates per-channel DequantizeLinear: the weights stay float32.</summary>
    public const string QuantizeOpsetTooOldCode = "CMP6005";

    internal static Diagnostic QuantizeOpsetTooOld(string? file, long opset, long minimum) => Diagnostic.Warning(
        QuantizeOpsetTooOldCode, $"'quantize.weights: int8' needs opset {minimum} or later (per-channel DequantizeLinear); the model imports opset {opset}, so the weights stay float32", file);

    internal static Diagnostic EmbeddingMismatch(string file) => Diagnostic.Error(
        EmbeddingMismatchCode, "the bytes to embed do not decode back to the measured model (a Compress bug, please report it); nothing was written", file);

    internal static Diagnostic ParityMismatch(string? file, string output, string detail) => Diagnostic.Error(
        ParityMismatchCode, $"the exported model does not reproduce the trained model: output '{output}' {detail}; nothing was written", file);

    internal static Diagnostic WriteFailed(string file, string detail) => Diagnostic.Error(
        WriteFailedCode, $"cannot write the output: {detail}", file);

    internal static Diagnostic ExportNotLoadable(string? file, string detail) => Diagnostic.Error(
        ExportNotLoadableCode, $"ONNX Runtime cannot load the exported model: {detail}; nothing was written", file);
}
