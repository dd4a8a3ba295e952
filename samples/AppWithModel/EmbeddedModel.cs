namespace AppWithModel;

/// <summary>
/// What the app knows about its model — all of it from the build-time accessor <c>CompressedModels.Kws</c>
/// that Compress.MSBuild generates from the compressed model's manifest.
/// </summary>
/// <param name="OnnxBytes">The decompressed ONNX model.</param>
/// <param name="EmbeddedBytes">Size of the embedded resource in bytes (compressed when <paramref name="Compression"/> is not none).</param>
/// <param name="SampleRate">Sample rate in Hz of the mono PCM the model takes.</param>
/// <param name="InputShape">The input's shape; -1 marks a dynamic dimension.</param>
public sealed record EmbeddedModel(
    byte[] OnnxBytes,
    long EmbeddedBytes,
    string ResourceName,
    string Compression,
    IReadOnlyList<string> Labels,
    int SampleRate,
    string InputName,
    string OutputName,
    IReadOnlyList<long> InputShape)
{
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

    /// <summary>The model embedded at build time, or null when the app was built without one.</summary>
    public static EmbeddedModel? Load()
    {
#if COMPRESS_MODEL
        using var resource = typeof(CompressedModels).Assembly.GetManifestResourceStream(CompressedModels.Kws.ResourceName);
        return new EmbeddedModel(
            CompressedModels.Kws.ReadAllBytes(),
            resource?.Length ?? 0,
            CompressedModels.Kws.ResourceName,
            CompressedModels.Kws.Compression,
            CompressedModels.Kws.Labels,
            CompressedModels.Kws.SampleRate,
            CompressedModels.Kws.InputName,
            CompressedModels.Kws.OutputName,
            CompressedModels.Kws.InputShape);
#else
        return null;
#endif
    }

    /// <summary>What to tell the user when <see cref="Load"/> returned null.</summary>
    public const string NotEmbeddedMessage =
        "AppWithModel: no compressed model is embedded in this build. Put compress.yaml (with the dense model and data it names) " +
        "next to AppWithModel.csproj, install dotnet-compress (see docs/msbuild.md), and build again: the build compresses the model, " +
        "checks its accuracy gate and embeds it.";
}
