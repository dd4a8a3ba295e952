using System.Globalization;

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

    /// <summary><c>quantize.require_faster: true</c> and the int8 file is not faster than the float export: nothing is written.</summary>
    public const string Int8NotFasterCode = "CMP6006";

    /// <summary>Warning: the int8 file is not faster than the float export (<c>quantize.require_faster</c> is false).</summary>
    public const string Int8SlowerCode = "CMP6007";

    /// <summary>CMP6006 at <paramref name="at"/> (<c>quantize.require_faster</c>).</summary>
    /// <param name="ratio">Median per-round ratio int8 ms / float ms.</param>
    /// <param name="int8Ms">Median ms per clip of the int8 file.</param>
    /// <param name="floatMs">Median ms per clip of the float export.</param>
    internal static Diagnostic Int8NotFaster(ISourceLocation at, double ratio, double int8Ms, double floatMs, string how) => Diagnostic.Error(
        Int8NotFasterCode,
        string.Create(CultureInfo.InvariantCulture, $"'quantize.require_faster': the int8 model is not faster than the float export: median ONNX Runtime latency int8/float ratio {ratio:0.000} is not below 1.0 (int8 {int8Ms:0.0000} ms, float {floatMs:0.0000} ms per clip; {how}); nothing was written"),
        at.File, at.Line, at.Column);

    /// <summary>CMP6007 at <paramref name="at"/> (<c>quantize:</c>); the numbers as in <see cref="Int8NotFaster"/>.</summary>
    internal static Diagnostic Int8Slower(ISourceLocation at, double ratio, double int8Ms, double floatMs, string how) => Diagnostic.Warning(
        Int8SlowerCode,
        string.Create(CultureInfo.InvariantCulture, $"the float export would be at least as fast as the int8 file: median ONNX Runtime latency int8/float ratio {ratio:0.000} is not below 1.0 (int8 {int8Ms:0.0000} ms, float {floatMs:0.0000} ms per clip; {how}); int8 still makes the file smaller (int8 weights alone are measured and shipped with session.disable_quant_qdq = 1, which folds them to float at load, so at best they run as fast as float; docs/quantization.md); 'quantize.require_faster: true' makes this an error"),
        at.File, at.Line, at.Column);

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
