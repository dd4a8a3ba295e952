using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Compress.Pipeline;

/// <summary>
/// The proofs that the <see cref="TrainingTwin"/> computes what the file computes, both with ONNX Runtime on real
/// clips: before training, the batched copy at batch N against N runs at batch 1 (CMP2130); after export, the file's
/// own signature (batch 1, its layout, extra inputs fed) against the batched copy that was measured, clip by clip
/// (CMP2131) — so the gate's numbers, measured on the batched copy, are the shipped file's.
/// </summary>
internal static class BatchEquivalence
{
    /// <summary>How many clips the proofs run.</summary>
    public const int Clips = 4;

    /// <summary>CMP2130 when the batched <paramref name="twin"/> does not reproduce itself clip by clip on <paramref name="set"/>.</summary>
    public static IReadOnlyList<Diagnostic> Prove(TrainingTwin twin, IFeatureSet set, string file)
    {
        if (!twin.FixedBatch || set.Count < 2)
        {
            return [];
        }

        var nodes = twin.BatchNodes.Where(n => !n.StartsWith("rewritten:", StringComparison.Ordinal)).ToList();
        var named = nodes.Count == 0 ? "a node ONNX Runtime names above" : string.Join(", ", nodes);
        var (batch, shape) = VerificationBatch.Of(set, twin.Working);
        var n = (int)Math.Min(Clips, shape[0]);
        var item = batch.Length / (int)shape[0];
        try
        {
            using var session = new InferenceSession(OnnxModelIO.Save(twin.Working));
            var all = Run(session, batch[..(n * item)], [n, .. shape[1..]]);
            for (var i = 0; i < n; i++)
            {
                var one = Run(session, batch[(i * item)..((i + 1) * item)], [1, .. shape[1..]]);
                foreach (var (name, (values, dims)) in one)
                {
                    var row = values.Length;
                    var comparison = all.TryGetValue(name, out var batched) && batched.Values.Length == row * n
                        ? Tolerance.Parity.Compare(values, batched.Values.AsSpan(i * row, row), dims)
                        : null;
                    if (comparison is null || !comparison.Passed)
                    {
                        return [ModelMessages.BatchNotEquivalent(file, named, comparison is null ? $"output '{name}' does not have the batch as its first axis" : $"clip {i} of output '{name}': {comparison.Detail}")];
                    }
                }
            }
        }
        catch (OnnxRuntimeException e)
        {
            return [ModelMessages.BatchNotEquivalent(file, named, "ONNX Runtime cannot run a batch of " + n + ": " + e.Message.Split('\n')[0].Trim())];
        }

        return [];
    }

    /// <summary>
    /// CMP2131 when <paramref name="shippedBytes"/> (the file's signature) does not reproduce <paramref name="twinBytes"/>
    /// (the batched copy as shipped) on the first clips of <paramref name="set"/>, fed one at a time.
    /// </summary>
    /// <param name="keepLayout">The shipped model takes the front end's layout (a front end is prepended, or it takes PCM).</param>
    public static IReadOnlyList<Diagnostic> CheckShipped(TrainingTwin twin, ModelProto twinShipped, byte[] twinBytes, byte[] shippedBytes, IFeatureSet set, bool keepLayout, string file)
    {
        if (!twin.ChangesSignature)
        {
            return [];
        }

        var (batch, shape) = VerificationBatch.Of(set, twinShipped);
        var n = (int)Math.Min(Clips, shape[0]);
        var item = batch.Length / Math.Max(1, (int)shape[0]);
        try
        {
            using var twinSession = new InferenceSession(twinBytes);
            using var shippedSession = new InferenceSession(shippedBytes);
            for (var i = 0; i < n; i++)
            {
                var clip = batch[(i * item)..((i + 1) * item)];
                long[] clipShape = [1, .. shape[1..]];
                var expected = Run(twinSession, clip, clipShape);
                var (values, fileShape) = keepLayout ? (clip, clipShape) : twin.ToFileLayout(clip, clipShape);
                var actual = Run(shippedSession, values, fileShape, twin.Extras);
                foreach (var (name, got) in actual)
                {
                    if (expected.TryGetValue(name, out var want))
                    {
                        var comparison = Tolerance.Parity.Compare(want.Values, got.Values, got.Shape);
                        if (!comparison.Passed)
                        {
                            return [ModelMessages.ShippedTwinMismatch(file, name, $"clip {i}: {comparison.Detail}")];
                        }
                    }
                }
            }
        }
        catch (OnnxRuntimeException e)
        {
            return [ModelMessages.ShippedTwinMismatch(file, "(all)", "ONNX Runtime cannot run it: " + e.Message.Split('\n')[0].Trim())];
        }

        return [];
    }

    /// <summary>Runs <paramref name="session"/> on one feature batch (its first input) plus <paramref name="extras"/> (batch 1); returns the float outputs.</summary>
    private static Dictionary<string, (float[] Values, long[] Shape)> Run(InferenceSession session, float[] features, long[] shape, IReadOnlyList<ExtraInputValue>? extras = null)
    {
        var names = new List<string> { session.InputNames[0] };
        var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(features, shape) };
        try
        {
            foreach (var extra in extras ?? [])
            {
                names.Add(extra.Declared.Name);
                values.Add(Typed(extra));
            }

            var outputs = session.OutputMetadata.Where(o => o.Value.ElementDataType == TensorElementType.Float).Select(o => o.Key).ToList();
            using var options = new RunOptions();
            using var results = session.Run(options, names, values, outputs);
            return outputs.Select((o, i) => (o, results[i])).ToDictionary(
                p => p.o,
                p => (p.Item2.GetTensorDataAsSpan<float>().ToArray(), p.Item2.GetTensorTypeAndShape().Shape));
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    private static OrtValue Typed(ExtraInputValue extra) => (Onnx.Proto.TensorProto.Types.DataType)extra.Declared.Type.TensorType.ElemType switch
    {
        Onnx.Proto.TensorProto.Types.DataType.Double => OrtValue.CreateTensorValueFromMemory(extra.Values, extra.Shape),
        Onnx.Proto.TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(extra.Values.Select(v => (long)v).ToArray(), extra.Shape),
        Onnx.Proto.TensorProto.Types.DataType.Int32 => OrtValue.CreateTensorValueFromMemory(extra.Values.Select(v => (int)v).ToArray(), extra.Shape),
        _ => OrtValue.CreateTensorValueFromMemory(extra.Values.Select(v => (float)v).ToArray(), extra.Shape),
    };
}
