using Compress.Evaluation;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>One float output compared between the executor and ONNX Runtime on a batch.</summary>
/// <param name="Output">The output's name.</param>
/// <param name="Comparison">Where and by how much they differ, within <see cref="Tolerance.Parity"/>.</param>
public sealed record BatchOutputParity(string Output, Comparison Comparison);

/// <summary>
/// Runs one batch of real inputs through the executor (eval mode, on <c>executorModel</c>) and through ONNX Runtime
/// (on <c>ortBytes</c>) and compares every float output both produce within <see cref="Tolerance.Parity"/>. The
/// pipeline uses it twice: on the input model before training (the native kernels compute what ONNX Runtime computes,
/// CMP2110) and on the exported bytes after it (what ships is what was trained, CMP6001). In each comparison's detail,
/// "expected" is the executor's value and "got" ONNX Runtime's.
/// </summary>
public static class BatchParity
{
    /// <summary>
    /// ONNX Runtime's session option for the kernel it fuses DequantizeLinear(int8 weight) → MatMul into
    /// (<c>MatMulNBits</c>). Its default, 4, also quantizes the activations to int8 on the fly — an approximation the
    /// QDQ graph does not specify (up to 3e-3 on outputs near 0.3 in QuantizedExportTests) — so the parity session
    /// sets 1 (float32 arithmetic), which computes what the graph says. The gate measures with ONNX Runtime's
    /// defaults, as an app runs the file. Float models have no such fusion, so the option changes nothing for them.
    /// </summary>
    public const string MatMulNBitsAccuracyLevel = "session.qdq_matmulnbits_accuracy_level";

    /// <summary>
    /// Compares the outputs. <paramref name="batch"/> is row-major with <paramref name="shape"/>, for the model's first
    /// input. Throws <see cref="OnnxRuntimeException"/> when ONNX Runtime cannot load or run <paramref name="ortBytes"/>.
    /// </summary>
    /// <param name="quantizedActivations">
    /// The model has int8 activations: each output is compared within <see cref="Tolerance.QuantizedOutput"/> of ONNX
    /// Runtime's values instead of <see cref="Tolerance.Parity"/>.
    /// </param>
    public static IReadOnlyList<BatchOutputParity> Compare(ModelProto executorModel, byte[] ortBytes, float[] batch, long[] shape, string? file, bool quantizedActivations = false)
    {
        ArgumentNullException.ThrowIfNull(executorModel);
        ArgumentNullException.ThrowIfNull(ortBytes);
        // ONNX Runtime first: a batch it cannot run (a shape that does not fit) is reported as its error, not the executor's.
        using var options = new SessionOptions();
        options.AddSessionConfigEntry(MatMulNBitsAccuracyLevel, "1");
        using var session = new InferenceSession(ortBytes, options);
        using var input = OrtValue.CreateTensorValueFromMemory(batch, shape);
        using var runOptions = new RunOptions();
        var floatOutputs = session.OutputMetadata.Where(o => o.Value.ElementDataType == TensorElementType.Float).Select(o => o.Key).ToList();
        using var results = session.Run(runOptions, [session.InputNames[0]], [input], floatOutputs);

        Dictionary<string, float[]> actual;
        using (var module = OnnxGraphModule.Create(executorModel, file: file))
        {
            module.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var outputs = module.Forward(new Dictionary<string, Tensor> { [module.InputNames[0]] = tensor(batch, shape) });
            actual = outputs.ToDictionary(o => o.Key, o => o.Value.to_type(ScalarType.Float32).cpu().data<float>().ToArray());
        }

        var parities = new List<BatchOutputParity>(floatOutputs.Count);
        for (var i = 0; i < floatOutputs.Count; i++)
        {
            var reference = results[i].GetTensorDataAsSpan<float>();
            var tolerance = quantizedActivations ? Tolerance.QuantizedOutput(reference) : Tolerance.Parity;
            var comparison = actual.TryGetValue(floatOutputs[i], out var values)
                ? tolerance.Compare(values, reference, results[i].GetTensorTypeAndShape().Shape)
                : new Comparison(false, double.PositiveInfinity, double.PositiveInfinity, -1, Tolerance.Parity, "the executor did not produce it", null);
            parities.Add(new BatchOutputParity(floatOutputs[i], comparison));
        }

        return parities;
    }
}
