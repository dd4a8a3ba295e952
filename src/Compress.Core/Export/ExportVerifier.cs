using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Compress.Export;

/// <summary>
/// The promise that what ships is what was measured: ONNX Runtime runs the exported bytes, the executor runs the
/// dense trained model, both on the same batch of inputs (the pipeline passes the first clips of the test split), and
/// every float output must agree within <see cref="Tolerance.Parity"/> (<see cref="BatchParity"/>). With int8 weights
/// (<see cref="Int8WeightQuantizer"/>) the executor runs the exported bytes themselves, so the check is the runtimes'
/// agreement on the quantized graph; the float-to-int8 error is the gate's to judge. With int8 activations ONNX Runtime
/// (default options, as the app runs it) fuses the QDQ pairs into integer kernels whose requantization rounds on its own,
/// so the bar is <see cref="Tolerance.QuantizedOutput"/> (docs/quantization.md).
/// </summary>
public static class ExportVerifier
{
    /// <summary>Returns the problems found (empty when the export is faithful).</summary>
    /// <param name="trained">The dense trained model (what the executor computed with), or the exported bytes loaded when the weights are int8.</param>
    /// <param name="exported">The bytes about to be written.</param>
    /// <param name="batch">Inputs (the pipeline passes the first test clips), row-major, with <paramref name="shape"/>, for the model's single input.</param>
    /// <param name="quantizedActivations">The export has int8 activations (<see cref="Int8ActivationQuantizer"/>): ONNX Runtime runs fused integer kernels, so each output must agree within <see cref="Tolerance.QuantizedOutput"/>.</param>
    public static IReadOnlyList<Diagnostic> Verify(ModelProto trained, byte[] exported, float[] batch, long[] shape, string? file, bool quantizedActivations = false)
    {
        try
        {
            return BatchParity.Compare(trained, exported, batch, shape, file, quantizedActivations)
                .Where(p => !p.Comparison.Passed)
                .Select(p => ExportMessages.ParityMismatch(file, p.Output, p.Comparison.Detail))
                .ToList();
        }
        catch (OnnxRuntimeException e)
        {
            return [ExportMessages.ExportNotLoadable(file, e.Message.Split('\n')[0])];
        }
    }
}
