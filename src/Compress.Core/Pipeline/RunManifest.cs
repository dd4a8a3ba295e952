using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compress.IO;

namespace Compress.Pipeline;

/// <summary>One file a run consumed, with its content hash (SHA-256, lower-case hex).</summary>
public sealed record ManifestInput(string Path, string Sha256);

/// <summary>
/// A wake-word model's shipped operating point (<c>task: wake_word</c>): the label detected, its class index, and the
/// threshold on its probability that gave <paramref name="FaPerHour"/> false accepts per hour on the test split.
/// </summary>
public sealed record ManifestWakeWord(string Label, int Index, double FaPerHour, float Threshold, double FalseRejectRate);

/// <summary>
/// The contract between <c>dotnet compress run --manifest</c> and the MSBuild targets (docs/msbuild.md): what was
/// written, how to read it (labels, sample rate, input), and every input file with its hash so an incremental build
/// can tell, without running the tool, whether anything changed.
/// </summary>
public sealed record RunManifest
{
    /// <summary>The manifest format's version.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string ToolVersion { get; init; }

    /// <summary>Absolute path of the written model (the bytes to embed).</summary>
    public required string Output { get; init; }

    /// <summary><c>none</c>, <c>gzip</c> or <c>brotli</c>: how <see cref="Output"/> is compressed.</summary>
    public required string Compression { get; init; }

    /// <summary><c>none</c> or <c>shuffle</c>: the filter applied before <see cref="Compression"/> (the accessor undoes both).</summary>
    public string Filter { get; init; } = "none";

    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Sample rate in Hz the model's input expects (PCM when a front end is prepended).</summary>
    public int? SampleRate { get; init; }

    public required string InputName { get; init; }

    /// <summary>The input's shape; -1 for a symbolic (batch) dimension.</summary>
    public required IReadOnlyList<long> InputShape { get; init; }

    public required string OutputName { get; init; }

    /// <summary>Every file the run read (spec, model, data), sorted by path.</summary>
    public required IReadOnlyList<ManifestInput> Inputs { get; init; }

    /// <summary>
    /// The inputs key of <see cref="Inputs"/> (<see cref="Pipeline.InputsKey"/>): what <c>dotnet compress hash</c> prints
    /// for the same spec, model and data, and what the MSBuild stamp records (absent in manifests of older tools).
    /// </summary>
    public string? InputsKey { get; init; }

    /// <summary>SHA-256 of the bytes in <see cref="Output"/>.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The operating point of a <c>task: wake_word</c> model (absent for other tasks and in manifests of older tools).</summary>
    public ManifestWakeWord? WakeWord { get; init; }

    /// <summary>
    /// The ONNX Runtime session configuration entries the model was measured with and the app should create its session
    /// with (<see cref="Evaluation.OrtSessionConfig"/>; the accessor's <c>SessionConfig</c>); absent when there are none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SessionConfig { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serialises the manifest (stable key order).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the manifest atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>SHA-256 of a file's content, lower-case hex.</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 of bytes, lower-case hex.</summary>
    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
