using System.Globalization;
using System.Text.Json;
using Compress.Onnx.Proto;

namespace Compress.Export;

/// <summary>
/// What Compress records in the exported model's <c>metadata_props</c> (keys prefixed <c>compress.</c>; an existing
/// key of the same name is replaced, every other entry is kept). The generated app accessor reads these.
/// </summary>
/// <param name="Labels">Class names in output order.</param>
/// <param name="SampleRate">Audio sample rate in Hz the model (or its front-end) expects.</param>
/// <param name="FrontEnd">The front-end configuration as JSON, or null when the model takes features directly.</param>
/// <param name="Sparsity">Fraction of prunable weights that are exactly zero.</param>
/// <param name="SourceSha256">SHA-256 (hex) of the input model file.</param>
/// <param name="SpecSha256">SHA-256 (hex) of the spec (after overrides).</param>
public sealed record ModelMetadata(
    IReadOnlyList<string> Labels,
    int? SampleRate,
    string? FrontEnd,
    double Sparsity,
    string SourceSha256,
    string SpecSha256,
    string ToolVersion)
{
    /// <summary>The quantization scheme (<see cref="Int8WeightQuantizer.Scheme"/>, or <see cref="Int8ActivationQuantizer.Scheme"/> with int8 activations), or null when the weights are float.</summary>
    public string? Quantize { get; init; }

    /// <summary>
    /// The ONNX Runtime session configuration the model is measured and shipped with (<see cref="Evaluation.OrtSessionConfig"/>,
    /// written as <c>compress.session_config</c>); null or empty when ONNX Runtime's defaults are right.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SessionConfig { get; init; }

    /// <summary>
    /// The session configuration a model quantized with <paramref name="scheme"/> (its <see cref="Quantize"/>) ships with:
    /// <see cref="Evaluation.OrtSessionConfig.FoldedInt8Weights"/> for int8 weights alone, none otherwise.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? SessionConfigFor(string? scheme) =>
        scheme == Int8WeightQuantizer.Scheme ? Evaluation.OrtSessionConfig.FoldedInt8Weights : null;

    /// <summary>The session configuration <paramref name="model"/>'s metadata records (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> SessionConfigOf(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Evaluation.OrtSessionConfig.Parse(model.MetadataProps.LastOrDefault(p => p.Key == Evaluation.OrtSessionConfig.MetadataKey)?.Value);
    }

    /// <summary>The key prefix of every entry Compress writes.</summary>
    public const string Prefix = "compress.";

    /// <summary>The entries, in a fixed order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries()
    {
        yield return new(Prefix + "labels", JsonSerializer.Serialize(Labels));
        if (SampleRate is int rate)
        {
            yield return new(Prefix + "sample_rate", rate.ToString(CultureInfo.InvariantCulture));
        }

        if (FrontEnd is not null)
        {
            yield return new(Prefix + "front_end", FrontEnd);
        }

        yield return new(Prefix + "sparsity", Sparsity.ToString("0.######", CultureInfo.InvariantCulture));
        if (Quantize is not null)
        {
            yield return new(Prefix + "quantize", Quantize);
        }

        if (SessionConfig is not null && Evaluation.OrtSessionConfig.Format(SessionConfig) is { } config)
        {
            yield return new(Evaluation.OrtSessionConfig.MetadataKey, config);
        }

        yield return new(Prefix + "source_sha256", SourceSha256);
        yield return new(Prefix + "spec_sha256", SpecSha256);
        yield return new(Prefix + "tool_version", ToolVersion);
    }

    /// <summary>
    /// Writes the entries into <paramref name="model"/>; an optional entry this metadata does not have (quantization,
    /// session configuration) is removed, so the model never keeps one its input carried.
    /// </summary>
    public void WriteTo(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entries = Entries().ToList();
        foreach (var stale in model.MetadataProps.Where(p => p.Key is Prefix + "quantize" or Evaluation.OrtSessionConfig.MetadataKey && entries.All(e => e.Key != p.Key)).ToList())
        {
            model.MetadataProps.Remove(stale);
        }

        foreach (var (key, value) in entries)
        {
            var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
            if (existing is null)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
            else
            {
                existing.Value = value;
            }
        }
    }
}
