using Microsoft.ML.OnnxRuntime;

namespace Compress.Evaluation;

/// <summary>
/// Runs a classifier's exported bytes in ONNX Runtime (CPU), one batch at a time: the first input is fed, the
/// chosen output (default: the first) is read as <c>[batch, classes]</c> scores (logits or probabilities).
/// </summary>
public sealed class OrtClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;

    /// <summary>
    /// Loads the model bytes with the session configuration their metadata records (<see cref="OrtSessionConfig"/>:
    /// what the app gets from the accessor). <paramref name="threads"/> = 0 lets ONNX Runtime choose.
    /// <paramref name="outputName"/> is the only output fetched (default: the first); a model's other outputs are not
    /// computed for it.
    /// </summary>
    public OrtClassifier(byte[] modelBytes, int threads = 0, string? outputName = null)
    {
        _options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        SessionConfig = OrtSessionConfig.Read(modelBytes);
        OrtSessionConfig.Apply(_options, SessionConfig);
        _session = new InferenceSession(modelBytes, _options);
        InputName = _session.InputNames[0];
        OutputName = outputName ?? _session.OutputNames[0];
    }

    /// <summary>The session configuration entries applied (from the model's metadata; empty for ONNX Runtime's defaults).</summary>
    public IReadOnlyDictionary<string, string> SessionConfig { get; }

    /// <summary>The input that is fed.</summary>
    public string InputName { get; }

    /// <summary>True when the fed input has a dynamic dimension after the batch (a time axis: clips of any length).</summary>
    public bool TakesAnyLength => _session.InputMetadata[InputName].Dimensions.Skip(1).Any(d => d < 0);

    /// <summary>The output that is read.</summary>
    public string OutputName { get; }

    /// <summary>Scores of each sample: <c>result[i]</c> has one value per class.</summary>
    public float[][] Score(float[] batch, long[] shape)
    {
        var (data, outShape) = Run(batch, shape);
        var rows = (int)outShape[0];
        var classes = rows == 0 ? 0 : data.Length / rows;
        var scores = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            scores[r] = data.AsSpan(r * classes, classes).ToArray();
        }

        return scores;
    }

    /// <summary>The output's values (row-major) and shape for one batch, as ONNX Runtime returns them.</summary>
    public (float[] Values, long[] Shape) Run(float[] batch, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(shape);
        using var input = OrtValue.CreateTensorValueFromMemory(batch, shape);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [InputName], [input], [OutputName]);
        var output = results[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>Index of the highest score (first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
