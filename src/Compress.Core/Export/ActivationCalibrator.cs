using Compress.Onnx;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Export;

/// <summary>The range an activation is quantized over: <see cref="Min"/> ≤ 0 ≤ <see cref="Max"/> is not required here.</summary>
public readonly record struct ActivationRange(float Min, float Max);

/// <summary>
/// Calibrates activation ranges with ONNX Runtime (not the executor): the float model gets the tensors asked for as
/// extra graph outputs and runs every calibration batch in the order given (the pipeline passes the first
/// <see cref="CalibrationOptions.Clips"/> training clips, so the ranges are deterministic). <see cref="CalibrationMethod.MinMax"/>
/// keeps the smallest and largest value; <see cref="CalibrationMethod.Percentile"/> makes a second pass with a histogram
/// of |x| (<see cref="Bins"/> bins up to the largest |x|) and clips both ends at the percentile.
/// </summary>
public static class ActivationCalibrator
{
    /// <summary>Bins of the |x| histogram for <see cref="CalibrationMethod.Percentile"/>.</summary>
    public const int Bins = 4096;

    /// <summary>
    /// The range of each of <paramref name="tensors"/> over <paramref name="batches"/> (row-major inputs for the model's
    /// first input, each with its shape). Throws <see cref="OnnxRuntimeException"/> when ONNX Runtime cannot run the model.
    /// </summary>
    public static IReadOnlyDictionary<string, ActivationRange> Calibrate(
        ModelProto model, IReadOnlyCollection<string> tensors, IReadOnlyList<(float[] Batch, long[] Shape)> batches, CalibrationOptions options, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        var result = new Dictionary<string, ActivationRange>(StringComparer.Ordinal);
        if (tensors.Count == 0 || batches.Count == 0)
        {
            return result;
        }

        var probed = model.Clone();
        var outputs = probed.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors.Where(t => !outputs.Contains(t)))
        {
            probed.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        }

        using var sessionOptions = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelIO.Save(probed), sessionOptions);
        var names = tensors.ToList();
        var min = names.Select(_ => float.PositiveInfinity).ToArray();
        var max = names.Select(_ => float.NegativeInfinity).ToArray();
        Run(session, names, batches, (i, values) =>
        {
            foreach (var v in values)
            {
                min[i] = Math.Min(min[i], v);
                max[i] = Math.Max(max[i], v);
            }
        });

        if (options.Method == CalibrationMethod.Percentile)
        {
            var top = names.Select((_, i) => Math.Max(Math.Abs(min[i]), Math.Abs(max[i]))).ToArray();
            var histograms = names.Select(_ => new long[Bins]).ToArray();
            Run(session, names, batches, (i, values) =>
            {
                if (top[i] is 0 or float.NaN)
                {
                    return;
                }

                foreach (var v in values)
                {
                    histograms[i][Math.Min(Bins - 1, (int)(Math.Abs(v) / top[i] * Bins))]++;
                }
            });
            for (var i = 0; i < names.Count; i++)
            {
                var limit = PercentileOf(histograms[i], top[i], options.Percentile);
                (min[i], max[i]) = (Math.Max(min[i], -limit), Math.Min(max[i], limit));
            }
        }

        for (var i = 0; i < names.Count; i++)
        {
            result[names[i]] = float.IsFinite(min[i]) && float.IsFinite(max[i]) ? new ActivationRange(min[i], max[i]) : new ActivationRange(0, 0);
        }

        return result;
    }

    /// <summary>The upper edge of the histogram bin where <paramref name="percentile"/> % of the counts are reached.</summary>
    private static float PercentileOf(long[] histogram, float top, double percentile)
    {
        var total = histogram.Sum();
        var wanted = total * percentile / 100;
        long seen = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= wanted)
            {
                return top * (b + 1) / histogram.Length;
            }
        }

        return top;
    }

    private static void Run(InferenceSession session, List<string> names, IReadOnlyList<(float[] Batch, long[] Shape)> batches, Action<int, ReadOnlySpan<float>> visit)
    {
        using var runOptions = new RunOptions();
        foreach (var (batch, shape) in batches)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(batch, shape);
            using var results = session.Run(runOptions, [session.InputNames[0]], [input], names);
            for (var i = 0; i < names.Count; i++)
            {
                visit(i, results[i].GetTensorDataAsSpan<float>());
            }
        }
    }
}
