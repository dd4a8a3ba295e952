using System.Diagnostics;
using AppWithModel.Audio;
using Microsoft.ML.OnnxRuntime;

namespace AppWithModel.Recognition;

/// <summary>
/// Classifies one-window clips of PCM with ONNX Runtime on the CPU. The model takes raw mono PCM in [-1, 1]
/// (its feature front-end is part of the graph) shaped like <see cref="EmbeddedModel.InputShape"/> with batch 1.
/// </summary>
public sealed class CommandRecognizer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;

    /// <summary>Creates the session from the embedded model's bytes, single-threaded (latency of one clip on one core).</summary>
    public CommandRecognizer(EmbeddedModel model)
    {
        Model = model;
        _options = model.CreateSessionOptions();
        _session = new InferenceSession(model.OnnxBytes, _options);
    }

    /// <summary>The model this recogniser runs.</summary>
    public EmbeddedModel Model { get; }

    /// <summary>Classifies a clip already at the model's sample rate (fitted to one window, see <see cref="Windows.Fit"/>).</summary>
    public RecognitionResult Recognize(float[] samples)
    {
        var window = Windows.Fit(samples, Model.WindowSamples);
        var clock = Stopwatch.StartNew();
        using var input = OrtValue.CreateTensorValueFromMemory(window, Model.WindowShape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new[] { Model.InputName }, new[] { input }, new[] { Model.OutputName });
        var probabilities = RecognitionResult.ToProbabilities(outputs[0].GetTensorDataAsSpan<float>());
        clock.Stop();
        if (probabilities.Length != Model.Labels.Count)
        {
            throw new InvalidOperationException($"the model returned {probabilities.Length} scores for {Model.Labels.Count} labels");
        }

        var best = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
            {
                best = i;
            }
        }

        return new RecognitionResult(Model.Labels[best], probabilities[best], probabilities, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Reads a WAV file (any rate, mono or multi-channel) and classifies it.</summary>
    public RecognitionResult RecognizeFile(string path) =>
        Recognize(Resampler.ToRate(WavReader.Read(path), Model.SampleRate));

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
