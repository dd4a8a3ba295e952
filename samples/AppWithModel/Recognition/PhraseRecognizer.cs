using System.Diagnostics;
using AppWithModel.Audio;
using Microsoft.ML.OnnxRuntime;

namespace AppWithModel.Recognition;

/// <summary>One recognised clip: the greedy CTC text, the grammar's most probable phrase and the latency of the model and decoding.</summary>
public sealed record PhraseResult(string Text, PhraseMatch Match, double LatencyMilliseconds)
{
    /// <summary>The action of the matched phrase, or <c>(not understood)</c>.</summary>
    public string Action => Match.Phrase is { } phrase ? PhraseActions.For(phrase) : "(not understood)";
}

/// <summary>
/// Runs the CTC phrase model (PCM in through its prepended front end, per-frame log-probabilities
/// <c>[1, frames, labels]</c> out) with ONNX Runtime on one CPU thread, decodes greedily, and picks the grammar's phrase
/// with the highest CTC probability (as the build's <c>ctc.grammar</c> gate measured it), rejected when the greedy text
/// is too far from it. Clips are fitted to the model's window (3 s: zero-padded, or cut to the loudest window), unless the model's
/// PCM input has a dynamic length (a front end Compress prepended to a model with a symbolic time axis): then a clip is
/// fed at its own length, only padded to <see cref="MinimumSamples"/>.
/// </summary>
public sealed class PhraseRecognizer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly IReadOnlyList<(string Phrase, int[] Ids)> _spelled;
    private readonly int _blank;

    /// <summary>Creates the session from the embedded model's bytes.</summary>
    public PhraseRecognizer(EmbeddedModel model, PhraseGrammar grammar)
    {
        Model = model;
        Grammar = grammar;
        _options = model.CreateSessionOptions();
        _session = new InferenceSession(model.OnnxBytes, _options);
        _spelled = grammar.Spell(model.Labels);
        _blank = model.Labels.ToList().IndexOf("_");
    }

    /// <summary>The model this recogniser runs.</summary>
    public EmbeddedModel Model { get; }

    /// <summary>The phrases decoded text is mapped onto.</summary>
    public PhraseGrammar Grammar { get; }

    /// <summary>True when the model takes PCM of any length (its input's last dimension is dynamic).</summary>
    public bool TakesAnyLength => Model.InputShape.Count > 1 && Model.InputShape[^1] < 0;

    /// <summary>The shortest clip fed to a model of any length: 0.1 s (longer than any analysis window the front end uses).</summary>
    public int MinimumSamples => Model.SampleRate / 10;

    /// <summary>Recognises a clip already at the model's sample rate.</summary>
    public PhraseResult Recognize(float[] samples)
    {
        var window = TakesAnyLength ? Windows.Fit(samples, Math.Max(samples.Length, MinimumSamples)) : Windows.Fit(samples, Model.WindowSamples);
        long[] shape = TakesAnyLength ? [.. Model.InputShape.Select((d, i) => i == Model.InputShape.Count - 1 ? window.Length : 1L)] : Model.WindowShape;
        var clock = Stopwatch.StartNew();
        using var input = OrtValue.CreateTensorValueFromMemory(window, shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new[] { Model.InputName }, new[] { input }, new[] { Model.OutputName });
        var vocab = outputs[0].GetTensorTypeAndShape().Shape[^1];
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var text = CtcDecoder.Greedy(scores, Tokens(vocab));
        var match = Grammar.MostProbable(scores, (int)vocab, _blank, _spelled, text);
        clock.Stop();
        return new PhraseResult(text, match, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The output tokens, as the accessor lists them (one per score of a frame: blank, word delimiter, letters).</summary>
    private IReadOnlyList<string> Tokens(long vocab) =>
        Model.Labels.Count == vocab ? Model.Labels
        : throw new InvalidOperationException($"the model scores {vocab} tokens per frame but its accessor lists {Model.Labels.Count} labels");

    /// <summary>Reads a WAV file (any rate, mono or multi-channel) and recognises it.</summary>
    public PhraseResult RecognizeFile(string path) =>
        Recognize(Resampler.ToRate(WavReader.Read(path), Model.SampleRate));

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
