using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Compress.Pipeline;

/// <summary>
/// Before any training: the executor and ONNX Runtime run the input model (as it ships, front end included) on one
/// batch of real clips and must agree within the same tolerance as the export check (CMP6001). A native kernel that
/// computes wrong numbers on this machine (docs/native-runtime.md) then stops the run with CMP2110 naming the output
/// and the error, instead of training silently on wrong numbers.
/// </summary>
internal static class InputModelCheck
{
    /// <summary>The CMP2110 errors (empty when every output agrees). ONNX Runtime failures become CMP2109.</summary>
    public static IReadOnlyList<Diagnostic> Run(ModelProto model, byte[] bytes, float[] batch, long[] shape, string modelPath)
    {
        IReadOnlyList<BatchOutputParity> parities;
        try
        {
            parities = BatchParity.Compare(model, bytes, batch, shape, modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            return [ModelMessages.DataRunFailed(modelPath, "the input model", e.Message.Split('\n')[0].Trim())];
        }

        var failed = parities.Where(p => !p.Comparison.Passed).ToList();
        if (failed.Count == 0)
        {
            return [];
        }

        var cpu = CpuInfo.Current;
        var machine = $"CPU {cpu.Model} ({cpu.VectorIsa}); libtorch oneDNN {TorchRuntime.Status?.OneDnn.ToString() ?? "not initialised"}";
        return failed.Select(p => ModelMessages.NativeKernelMismatch(modelPath, p.Output, p.Comparison.Detail, machine)).ToList();
    }
}
