using System.Globalization;

namespace Compress.MSBuild;

/// <summary>One file the tool consumed (spec, model, data), with the SHA-256 of its content at that time.</summary>
internal sealed class ManifestInput
{
    public ManifestInput(string path, string sha256)
    {
        Path = path;
        Sha256 = sha256;
    }

    /// <summary>The path as the tool wrote it; relative paths are relative to the spec's folder.</summary>
    public string Path { get; }

    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    public string Sha256 { get; }
}

/// <summary>The operating point a wake-word model ships with (manifest <c>wakeWord</c>, task wake_word).</summary>
internal sealed class ManifestWakeWord
{
    public ManifestWakeWord(string label, int index, double faPerHour, double threshold)
    {
        Label = label;
        Index = index;
        FaPerHour = faPerHour;
        Threshold = threshold;
    }

    /// <summary>The label detected.</summary>
    public string Label { get; }

    /// <summary>Its index in the output's last dimension.</summary>
    public int Index { get; }

    /// <summary>False accepts per hour of negative audio the threshold was chosen for.</summary>
    public double FaPerHour { get; }

    /// <summary>The probability threshold (a clip is a detection when the label's probability is ≥ it).</summary>
    public double Threshold { get; }
}

/// <summary>
/// The manifest <c>dotnet-compress run --manifest</c> writes next to the compressed model (schema version 1):
/// what the model is (labels, sample rate, tensor names), how the bytes are stored, and every input with its hash.
/// </summary>
internal sealed class CompressManifest
{
    /// <summary>The only manifest schema this task understands.</summary>
    public const int SupportedSchemaVersion = 1;

    public string ToolVersion { get; private set; } = "";

    /// <summary><c>none</c>, <c>gzip</c> or <c>brotli</c>: how the embedded bytes wrap the ONNX model.</summary>
    public string Compression { get; private set; } = "none";

    /// <summary><c>none</c> or <c>shuffle</c>: the filter under the compression (absent in older manifests: none).</summary>
    public string Filter { get; private set; } = "none";

    public IReadOnlyList<string> Labels { get; private set; } = System.Array.Empty<string>();

    /// <summary>Sample rate in Hz of the PCM the model's input expects.</summary>
    public int SampleRate { get; private set; }

    public string InputName { get; private set; } = "";

    /// <summary>The model input's shape; -1 marks a dynamic dimension (usually the batch).</summary>
    public IReadOnlyList<long> InputShape { get; private set; } = System.Array.Empty<long>();

    public string OutputName { get; private set; } = "";

    public IReadOnlyList<ManifestInput> Inputs { get; private set; } = System.Array.Empty<ManifestInput>();

    /// <summary>Lower-case hex SHA-256 of the output file (the bytes that are embedded).</summary>
    public string Sha256 { get; private set; } = "";

    /// <summary>The wake-word operating point (task wake_word), or null.</summary>
    public ManifestWakeWord? WakeWord { get; private set; }

    /// <summary>
    /// The ONNX Runtime session configuration entries the model was measured with (manifest <c>sessionConfig</c>), in
    /// ordinal key order; empty when the manifest has none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> SessionConfig { get; private set; } = System.Array.Empty<KeyValuePair<string, string>>();

    /// <summary>Reads and validates a manifest; throws <see cref="FormatException"/> with a reason when it is not usable.</summary>
    public static CompressManifest Read(string path)
    {
        if (JsonReader.Parse(File.ReadAllText(path)) is not Dictionary<string, object?> root)
        {
            throw new FormatException("is not a JSON object");
        }

        var version = Number(root, "schemaVersion");
        if (version != SupportedSchemaVersion)
        {
            throw new FormatException(string.Format(CultureInfo.InvariantCulture, "has schemaVersion {0}; this Compress.MSBuild reads version {1} (update the package or the tool)", version, SupportedSchemaVersion));
        }

        var compression = Text(root, "compression");
        if (compression != "none" && compression != "gzip" && compression != "brotli")
        {
            throw new FormatException($"has compression '{compression}' (expected none, gzip or brotli)");
        }

        var filter = root.TryGetValue("filter", out var f) ? f as string ?? throw new FormatException("has a filter that is not a string") : "none";
        if ((filter != "none" && filter != "shuffle") || (filter == "shuffle" && compression == "none"))
        {
            throw new FormatException($"has filter '{filter}' (expected none, or shuffle under gzip or brotli)");
        }

        var sampleRate = Number(root, "sampleRate");
        if (sampleRate <= 0 || sampleRate > int.MaxValue || sampleRate != Math.Floor(sampleRate))
        {
            throw new FormatException("has a sampleRate that is not a positive whole number of Hz");
        }

        var labels = List(root, "labels").Select(l => l as string ?? throw new FormatException("has a label that is not a string")).ToList();
        return new CompressManifest
        {
            ToolVersion = Text(root, "toolVersion"),
            Compression = compression,
            Filter = filter,
            Labels = labels,
            SampleRate = (int)sampleRate,
            InputName = Text(root, "inputName"),
            InputShape = List(root, "inputShape").Select(d => d is double v && v == Math.Floor(v) ? (long)v : throw new FormatException("has an inputShape entry that is not an integer")).ToList(),
            OutputName = Text(root, "outputName"),
            Inputs = List(root, "inputs").Select(ReadInput).ToList(),
            Sha256 = Text(root, "sha256").ToLowerInvariant(),
            WakeWord = root.TryGetValue("wakeWord", out var w) && w is not null ? ReadWakeWord(w, labels) : null,
            SessionConfig = root.TryGetValue("sessionConfig", out var c) && c is not null ? ReadSessionConfig(c) : System.Array.Empty<KeyValuePair<string, string>>(),
        };
    }

    private static IReadOnlyList<KeyValuePair<string, string>> ReadSessionConfig(object value)
    {
        if (value is not Dictionary<string, object?> entries)
        {
            throw new FormatException("has a sessionConfig that is not an object");
        }

        return entries
            .Select(e => new KeyValuePair<string, string>(e.Key, e.Value as string ?? throw new FormatException($"has a sessionConfig entry '{e.Key}' whose value is not a string")))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
    }

    private static ManifestWakeWord ReadWakeWord(object value, IReadOnlyList<string> labels)
    {
        if (value is not Dictionary<string, object?> w)
        {
            throw new FormatException("has a wakeWord that is not an object");
        }

        var label = Text(w, "label");
        var index = Number(w, "index");
        if (index < 0 || index >= labels.Count || index != Math.Floor(index) || labels[(int)index] != label)
        {
            throw new FormatException($"has a wakeWord whose index {index.ToString(CultureInfo.InvariantCulture)} is not the label '{label}'");
        }

        var faPerHour = Number(w, "faPerHour");
        var threshold = Number(w, "threshold");
        if (faPerHour <= 0 || threshold < 0 || threshold > 1)
        {
            throw new FormatException("has a wakeWord whose faPerHour is not positive or whose threshold is not a probability in [0, 1]");
        }

        return new ManifestWakeWord(label, (int)index, faPerHour, threshold);
    }

    private static ManifestInput ReadInput(object? value) =>
        value is Dictionary<string, object?> input
            ? new ManifestInput(Text(input, "path"), Text(input, "sha256").ToLowerInvariant())
            : throw new FormatException("has an inputs entry that is not an object");

    private static string Text(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out var value) && value is string text ? text : throw new FormatException($"has no string '{key}'");

    private static double Number(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out var value) && value is double number ? number : throw new FormatException($"has no number '{key}'");

    private static List<object?> List(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out var value) && value is List<object?> list ? list : throw new FormatException($"has no array '{key}'");
}
