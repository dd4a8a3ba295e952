using System.Text.Json;
using Compress.Core.Tests.Graph;
using Compress.Tests.Shared;

namespace Compress.Core.Tests.Onnx;

/// <summary>One graph input or output of a fixture: its name, the shape PyTorch recorded, and its raw float32 file.</summary>
/// <param name="Role">For inputs: <c>data</c> (the features) or <c>state</c> (a recurrent state); null for outputs.</param>
/// <param name="Layout">For inputs: axis names such as <c>["batch","channel","frames","bins"]</c>; for per-frame (CTC) outputs <c>["batch","time","vocab"]</c> or <c>["time","batch","vocab"]</c>; else null.</param>
public sealed record FixtureTensor(string Name, string? Role, IReadOnlyList<string>? Layout, string File, long[] RecordedShape);

/// <summary>A PyTorch parameter or buffer of a fixture: its name, shape and element count, and whether the exported file has an initializer of that name.</summary>
public sealed record FixtureParameter(string Name, long[] Shape, long Elements, bool OnnxInitializer);

/// <summary>
/// One model of <c>tests/fixtures/exported/fixtures.json</c> (made by <c>tools/fixtures/make-fixtures.py</c> with
/// PyTorch 1.13): the file, its export options, its inputs and outputs with PyTorch's recorded values, its head kind
/// (<c>logits|softmax|log_softmax|sigmoid</c>) and PyTorch's parameter names. <see cref="Task"/> is
/// <c>classification</c> (one score vector per input) or <c>ctc</c> (per-frame scores over a vocabulary of
/// <see cref="Classes"/> tokens, blank first, on a dynamic time axis <c>T</c>).
/// </summary>
public sealed record ExportedFixture(
    string Name,
    string Path,
    long Opset,
    string Training,
    bool ConstantFolding,
    IReadOnlyList<FixtureTensor> Inputs,
    IReadOnlyList<FixtureTensor> Outputs,
    string Head,
    int Classes,
    IReadOnlyList<FixtureParameter> Parameters,
    IReadOnlyList<FixtureParameter> Buffers)
{
    /// <summary>True when the batch is a dynamic axis of the export (false: fixed at 1 in the file).</summary>
    public bool DynamicBatch { get; init; }

    /// <summary><c>classification</c> or <c>ctc</c>.</summary>
    public string Task { get; init; } = "classification";

    /// <summary>True when the input's time axis is dynamic (the symbolic dimension <c>T</c>).</summary>
    public bool DynamicTime { get; init; }

    /// <summary>The recorded inputs, read from their files.</summary>
    public IReadOnlyList<CaseTensor> RecordedInputs() => [.. Inputs.Select(ExportedFixtures.Read)];

    /// <summary>PyTorch's outputs for <see cref="RecordedInputs"/>, read from their files.</summary>
    public IReadOnlyDictionary<string, CaseTensor> RecordedOutputs() => Outputs.ToDictionary(o => o.Name, ExportedFixtures.Read);

    public override string ToString() => Name;
}

/// <summary>Reads the committed fixture corpus; <see cref="Names"/> feeds the data-driven theories.</summary>
public static class ExportedFixtures
{
    /// <summary>The folder holding the fixtures and fixtures.json.</summary>
    public static string Folder { get; } = System.IO.Path.Combine(PackagedTool.RepositoryRoot, "tests", "fixtures", "exported");

    private static readonly Lazy<IReadOnlyDictionary<string, ExportedFixture>> All = new(Load);

    /// <summary>Every fixture by name, in fixtures.json's order.</summary>
    public static IReadOnlyDictionary<string, ExportedFixture> ByName => All.Value;

    public static TheoryData<string> Names => [.. All.Value.Keys];

    public static ExportedFixture Get(string name) => All.Value[name];

    /// <summary>Reads a raw little-endian float32 file into a tensor of its recorded shape.</summary>
    public static CaseTensor Read(FixtureTensor tensor)
    {
        var bytes = File.ReadAllBytes(System.IO.Path.Combine(Folder, tensor.File));
        var count = tensor.RecordedShape.Aggregate(1L, (a, d) => a * d);
        Assert.True(bytes.Length == count * sizeof(float), $"{tensor.File} has {bytes.Length} bytes, expected {count} float32 values for [{string.Join(",", tensor.RecordedShape)}]");
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = BitConverter.ToSingle(BitConverter.IsLittleEndian ? bytes.AsSpan(i * 4, 4) : bytes.AsSpan(i * 4, 4).ToArray().Reverse().ToArray());
        }

        return new CaseTensor(tensor.Name, data, tensor.RecordedShape);
    }

    private static IReadOnlyDictionary<string, ExportedFixture> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Folder, "fixtures.json")));
        var result = new Dictionary<string, ExportedFixture>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty("fixtures").EnumerateObject())
        {
            var f = entry.Value;
            var export = f.GetProperty("export");
            result.Add(entry.Name, new ExportedFixture(
                entry.Name,
                System.IO.Path.Combine(Folder, f.GetProperty("file").GetString()!),
                export.GetProperty("opset").GetInt64(),
                export.GetProperty("training").GetString()!,
                export.GetProperty("do_constant_folding").GetBoolean(),
                [.. f.GetProperty("inputs").EnumerateArray().Select(Tensor)],
                [.. f.GetProperty("outputs").EnumerateArray().Select(Tensor)],
                f.GetProperty("head").GetString()!,
                f.GetProperty("classes").GetInt32(),
                [.. f.GetProperty("parameters").EnumerateArray().Select(Parameter)],
                [.. f.GetProperty("buffers").EnumerateArray().Select(Parameter)])
            {
                DynamicBatch = export.GetProperty("dynamic_axes").EnumerateObject().Any(),
                DynamicTime = f.GetProperty("inputs").EnumerateArray().Any(i => i.GetProperty("shape").EnumerateArray().Any(d => d.ValueKind == JsonValueKind.String && d.GetString() == "T")),
                Task = f.GetProperty("task").GetString()!,
            });
        }

        return result;
    }

    private static FixtureTensor Tensor(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        e.TryGetProperty("role", out var role) ? role.GetString() : null,
        e.TryGetProperty("layout", out var layout) ? [.. layout.EnumerateArray().Select(a => a.GetString()!)] : null,
        e.GetProperty("file").GetString()!,
        [.. e.GetProperty("recorded_shape").EnumerateArray().Select(d => d.GetInt64())]);

    private static FixtureParameter Parameter(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        [.. e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())],
        e.GetProperty("elements").GetInt64(),
        e.GetProperty("onnx_initializer").GetBoolean());
}
