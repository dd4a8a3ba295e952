using System.Text.Json;
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
    public const string MetadataKey = "compress.session_config";

    /// <summary>
    /// ONNX Runtime's switch for its QDQ handling. With <c>1</c> it folds a DequantizeLinear of a constant int8 weight
    /// into a float weight at load (and does not fuse DequantizeLinear → MatMul into the approximate MatMulNBits), so
    /// an int8-weight model runs as fast as the float one and computes exactly what its graph says.
    /// </summary>
    public const string DisableQuantQdq = "session.disable_quant_qdq";

    /// <summary>ModelProto.metadata_props in onnx.proto.</summary>
    private const int MetadataPropsField = 14;

    private static readonly IReadOnlyDictionary<string, string> None = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The entries int8 weights alone ship with: <see cref="DisableQuantQdq"/> = 1. ONNX Runtime's defaults keep their
    /// DequantizeLinear nodes and run them on every inference (1.3–2× slower than float, docs/quantization.md). Float
    /// models and int8 activations need none: the activations' QDQ pairs must be fused into ONNX Runtime's integer kernels.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FoldedInt8Weights { get; } =
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [DisableQuantQdq] = "1" };

    /// <summary>The entries the metadata of the serialized model <paramref name="onnx"/> records (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> Read(byte[] onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        // Only ModelProto.metadata_props (field 14, StringStringEntryProto {key = 1, value = 2}) is read: the graph and
        // its weights are skipped, not parsed.
        string? value = null;
        var input = new CodedInputStream(onnx);
        try
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == MetadataPropsField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    var (key, entryValue) = ReadEntry(new CodedInputStream(input.ReadBytes().ToByteArray()));
                    if (key == MetadataKey)
                    {
                        value = entryValue;
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

    private static (string? Key, string? Value) ReadEntry(CodedInputStream entry)
    {
        string? key = null, value = null;
        uint tag;
        while ((tag = entry.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited): key = entry.ReadString(); break;
                case (2, WireFormat.WireType.LengthDelimited): value = entry.ReadString(); break;
                default: entry.SkipLastField(); break;
            }
        }

        return (key, value);
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
    /// The entries of a <see cref="MetadataKey"/> value (null: none). Only Compress writes this key; a value that is not
    /// a JSON object of strings (a hand-edited file) is ignored rather than guessed at, and the model is measured with
    /// ONNX Runtime's defaults.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? value)
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
