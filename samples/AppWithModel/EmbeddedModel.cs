using Microsoft.ML.OnnxRuntime;

namespace AppWithModel;

/// <summary>
/// What the app knows about one of its models — all of it from a build-time accessor (<c>CompressedModels.Kws</c>,
/// <c>CompressedModels.Phrases</c>) that Compress.MSBuild generates from the compressed model's manifest.
/// </summary>
/// <param name="OnnxBytes">The decompressed ONNX model.</param>
/// <param name="EmbeddedBytes">Size of the embedded resource in bytes (compressed when <paramref name="Compression"/> is not none).</param>
/// <param name="SampleRate">Sample rate in Hz of the mono PCM the model takes.</param>
/// <param name="InputShape">The input's shape; -1 marks a dynamic dimension.</param>
/// <param name="SessionConfig">ONNX Runtime session configuration entries the build measured the model with (int8 weights: fold them at load).</param>
public sealed record EmbeddedModel(
    byte[] OnnxBytes,
    long EmbeddedBytes,
    string ResourceName,
    string Compression,
    IReadOnlyList<string> Labels,
    int SampleRate,
    string InputName,
    string OutputName,
    IReadOnlyList<long> InputShape,
    IReadOnlyList<KeyValuePair<string, string>> SessionConfig)
{
    /// <summary>
    /// ONNX Runtime options for this model: one thread, sequential, and the accessor's <see cref="SessionConfig"/>
    /// entries, so the app runs the model as the build's gate measured it. The caller disposes them.
    /// </summary>
    public SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        foreach (var (key, value) in SessionConfig)
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
    }

    /// <summary>Samples per inference window: the product of the input's fixed non-batch dimensions, or one second when the length is dynamic.</summary>
    public int WindowSamples
    {
        get
        {
            long samples = 1;
            foreach (var dimension in InputShape.Skip(1))
            {
                samples *= dimension > 0 ? dimension : SampleRate;
            }

            return InputShape.Count > 1 ? (int)samples : SampleRate;
        }
    }

    /// <summary>The shape one window is fed as: the input's shape with batch 1 and <see cref="WindowSamples"/> for a dynamic length.</summary>
    public long[] WindowShape => InputShape.Count == 0
        ? [1, WindowSamples]
        : [.. InputShape.Select((d, i) => i == 0 ? 1 : d > 0 ? d : WindowSamples)];

    /// <summary>The keyword-spotting model embedded at build time, or null when the app was built without one.</summary>
    public static EmbeddedModel? Load()
    {
#if COMPRESS_MODEL && COMPRESS_KWS
        return Create(
            CompressedModels.Kws.ReadAllBytes(),
            CompressedModels.Kws.ResourceName,
            CompressedModels.Kws.Compression,
            CompressedModels.Kws.Labels,
            CompressedModels.Kws.SampleRate,
            CompressedModels.Kws.InputName,
            CompressedModels.Kws.OutputName,
            CompressedModels.Kws.InputShape,
            CompressedModels.Kws.SessionConfig);
#else
        return null;
#endif
    }

    /// <summary>The CTC phrase recogniser embedded at build time, or null when the app was built without one.</summary>
    public static EmbeddedModel? LoadPhrases()
    {
#if COMPRESS_MODEL && COMPRESS_PHRASES
        return Create(
            CompressedModels.Phrases.ReadAllBytes(),
            CompressedModels.Phrases.ResourceName,
            CompressedModels.Phrases.Compression,
            CompressedModels.Phrases.Labels,
            CompressedModels.Phrases.SampleRate,
            CompressedModels.Phrases.InputName,
            CompressedModels.Phrases.OutputName,
            CompressedModels.Phrases.InputShape,
            CompressedModels.Phrases.SessionConfig);
#else
        return null;
#endif
    }

#if COMPRESS_MODEL
    private static EmbeddedModel Create(
        byte[] onnx, string resourceName, string compression, IReadOnlyList<string> labels, int sampleRate, string inputName, string outputName, IReadOnlyList<long> inputShape,
        IReadOnlyList<KeyValuePair<string, string>> sessionConfig)
    {
        using var resource = typeof(CompressedModels).Assembly.GetManifestResourceStream(resourceName);
        return new EmbeddedModel(onnx, resource?.Length ?? 0, resourceName, compression, labels, sampleRate, inputName, outputName, inputShape, sessionConfig);
    }
#endif

    /// <summary>What to tell the user when <see cref="Load"/> returned null.</summary>
    public const string NotEmbeddedMessage =
        "AppWithModel: no compressed model is embedded in this build. Put compress.yaml (with the dense model and data it names) " +
        "next to AppWithModel.csproj, install dotnet-compress (see docs/msbuild.md), and build again: the build compresses the model, " +
        "checks its accuracy gate and embeds it.";

    /// <summary>What to tell the user when <see cref="LoadPhrases"/> returned null.</summary>
    public const string PhrasesNotEmbeddedMessage =
        "AppWithModel: no phrase model is embedded in this build. Put phrases.compress.yaml (with model/phrase-dense.onnx and the " +
        "phrases/ corpus of make-phrases.sh) next to AppWithModel.csproj and build again.";
}
