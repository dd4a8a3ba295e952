using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Compress.Export;

/// <summary>
/// The promise that what ships is what was measured: ONNX Runtime runs the exported bytes, the executor runs the
/// dense trained model, both on the same batch of inputs (the pipeline passes the first clips of the test split), and
/// every float output must agree within <see cref="Tolerance.Parity"/>.
/// </summary>
public static class ExportVerifier
{
    /// <summary>Returns the problems found (empty when the export is faithful).</summary>
    /// <param name="trained">The dense trained model (what the executor computed with).</param>
    /// <param name="exported">The bytes about to be written.</param>
    /// <param name="batch">Inputs (the pipeline passes the first test clips), row-major, with <paramref name="shape"/>, for the model's single input.</param>
    public static IReadOnlyList<Diagnostic> Verify(ModelProto trained, byte[] exported, float[] batch, long[] shape, string? file)
    {
        ArgumentNullException.ThrowIfNull(trained);
        Dictionary<string, float[]> expected;
        using (var module = OnnxGraphModule.Create(trained, file: file))
        {
            module.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var outputs = module.Forward(new Dictionary<string, Tensor> { [module.InputNames[0]] = tensor(batch, shape) });
            expected = outputs.ToDictionary(o => o.Key, o => o.Value.to_type(ScalarType.Float32).cpu().data<float>().ToArray());
        }

        var problems = new List<Diagnostic>();
        try
        {
            using var session = new InferenceSession(exported);
            using var input = OrtValue.CreateTensorValueFromMemory(batch, shape);
            using var runOptions = new RunOptions();
            var names = session.OutputNames.Where(expected.ContainsKey).ToList();
            using var results = session.Run(runOptions, [session.InputNames[0]], [input], names);
            for (var i = 0; i < names.Count; i++)
            {
                var comparison = Tolerance.Parity.Compare(expected[names[i]], results[i].GetTensorDataAsSpan<float>(), results[i].GetTensorTypeAndShape().Shape);
                if (!comparison.Passed)
                {
                    problems.Add(ExportMessages.ParityMismatch(file, names[i], comparison.Detail));
                }
            }
        }
        catch (OnnxRuntimeException e)
        {
            problems.Add(ExportMessages.ExportNotLoadable(file, e.Message.Split('\n')[0]));
        }

        return problems;
    }
}
