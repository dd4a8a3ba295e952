using System.Text.Json;
using Compress.Export;
using Compress.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Compress.Evaluation;

/// <summary>
/// The ONNX Runtime session configuration entries (<c>SessionOptions.AddSessionConfigEntry</c>) a model is measured
/// with and ships with. Compress records them in the model's metadata (<see cref="MetadataKey"/>), every measurement
/// of the model (gate, <c>eval</c>, latency) applies them, the run manifest carries them, and the generated accessor
/// hands them to the app (<c>CompressedModels.X.SessionConfig</c>), so the app runs what the gate measured.
/// </summary>
public static class OrtSessionConfig
{
    /// <summary>The metadata key: a JSON object of string entries, e.g. <c>{"session.disable_quant_qdq":"1"}</c>.</summary>
    public const string MetadataKey = Compress.Export.ModelMetadata.Prefix + "session_config";

    /// <summary>
    /// ONNX Runtime's switch for its QDQ handling. With <c>1</c> it folds a DequantizeLinear of a constant int8 weight
    /// into a float weight at load (and does not fuse DequantizeLinear → MatMul into the approximate MatMulNBits), so
    /// an int8-weight model runs as fast as the float one and computes exactly what its graph says.
    /// </summary>
    public const string DisableQuantQdq = "session.disable_quant_qdq";

    private static readonly IReadOnlyDictionary<string, string> None = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The entries a model quantized with <paramref name="scheme"/> ships with (its <c>compress.quantize</c>, or null
    /// for float): <see cref="DisableQuantQdq"/> = 1 for int8 weights alone — ONNX Runtime's defaults keep their
    /// DequantizeLinear nodes and run them on every inference (1.3–2× slower than float, docs/quantization.md); none for
    /// float models and for int8 activations, whose QDQ pairs ONNX Runtime must fuse into its integer kernels.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForScheme(string? scheme) =>
        scheme == Int8WeightQuantizer.Scheme
            ? new SortedDictionary<string, string>(StringComparer.Ordinal) { [DisableQuantQdq] = "1" }
            : None;

    /// <summary>The entries <paramref name="model"/>'s metadata records (empty when it records none).</summary>
    public static IReadOnlyDictionary<string, string> Read(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Parse(model.MetadataProps.LastOrDefault(p => p.Key == MetadataKey)?.Value);
    }

    /// <summary>The entries the metadata of the serialized model <paramref name="onnx"/> records (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> Read(byte[] onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        // Only metadata_props (field 14) is read: the graph and its weights are skipped, not parsed.
        string? value = null;
        var input = new CodedInputStream(onnx);
        try
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == ModelProto.MetadataPropsFieldNumber && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    var entry = new StringStringEntryProto();
                    input.ReadMessage(entry);
                    if (entry.Key == MetadataKey)
                    {
                        value = entry.Value;
                    }
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // Not a model this reader can walk: ONNX Runtime reports what is wrong with it when it loads the bytes.
            return None;
        }

        return Parse(value);
    }

    /// <summary>The metadata value for <paramref name="entries"/> (keys in ordinal order), or null when there are none.</summary>
    public static string? Format(IReadOnlyDictionary<string, string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? null : JsonSerializer.Serialize(new SortedDictionary<string, string>(entries.ToDictionary(), StringComparer.Ordinal));
    }

    /// <summary>Adds every entry to <paramref name="options"/>.</summary>
    public static void Apply(SessionOptions options, IReadOnlyDictionary<string, string> entries)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            options.AddSessionConfigEntry(key, value);
        }
    }

    /// <summary>
    /// The entries of a metadata value. Only Compress writes this key; a value that is not a JSON object of strings
    /// (a hand-edited file) is ignored rather than guessed at, and the model is measured with ONNX Runtime's defaults.
    /// </summary>
    private static IReadOnlyDictionary<string, string> Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return None;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(value) is { } entries
                ? new SortedDictionary<string, string>(entries, StringComparer.Ordinal)
                : None;
        }
        catch (JsonException)
        {
            return None;
        }
    }
}
