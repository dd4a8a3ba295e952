using Compress.Onnx;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Tool.Tests;

/// <summary>A temporary folder with a tiny ONNX model, a Speech-Commands-style data folder and a spec.</summary>
internal sealed class TestWorkspace : IDisposable
{
    public TestWorkspace()
    {
        Folder = Directory.CreateTempSubdirectory("compress-tool-").FullName;
    }

    public string Folder { get; }

    public string SpecPath => Path.Combine(Folder, "compress.yaml");

    public string ModelPath => Path.Combine(Folder, "model.onnx");

    /// <summary>The spec used by most tests (the gate is on line 7).</summary>
    public const string Spec = """
        model: model.onnx
        data:
          root: data
        labels: [yes, no]
        features:
          kind: none
        gate:
          min: 0.9
        finetune:
          epochs: 2
        """;

    public static TestWorkspace WithSpec(string spec = Spec)
    {
        var workspace = new TestWorkspace();
        workspace.WriteModel(raw: true);
        workspace.WriteData(("yes", 3), ("no", 2));
        File.WriteAllText(workspace.SpecPath, spec);
        return workspace;
    }

    /// <summary>A MatMul classifier: raw audio [N, 16000] → logits [N, classes], or features [N, 1, 49, 10] → [N, 1, 49, classes].</summary>
    public void WriteModel(bool raw, int classes = 2, string opType = "MatMul")
    {
        var builder = new ModelBuilder();
        var input = raw ? builder.Input("audio", DataType.Float, "N", 16000L) : builder.Input("mel", DataType.Float, "N", 1L, 49L, 10L);
        var inner = raw ? 16000 : 10;
        var weight = builder.Initializer("w", new float[inner * classes], inner, classes);
        var logits = builder.Node(opType, [input, weight]);
        builder.Graph.Output.Add(ModelBuilder.ValueInfo(logits, DataType.Float, raw ? ["N", (long)classes] : ["N", 1L, 49L, (long)classes]));
        File.WriteAllBytes(ModelPath, builder.Build().ToByteArray());
    }

    /// <summary>
    /// A task a linear classifier can tell apart: 1 s clips at a constant +0.5 ("yes") or −0.5 ("no"), speakers 0–3
    /// per label; validation_list.txt holds speaker 1 and testing_list.txt speaker 2 of each label, plus, with
    /// <paramref name="extraTestClip"/>, "no/speaker4" at +0.5 (it sounds like "yes"). The model takes raw audio
    /// [N, 1, 16000] (the item shape of <c>features: none</c>), averages it, and scores "yes" with the mean and "no"
    /// with minus the mean (a mean, not a 16000-wide dot product, so float rounding stays far below the export check's
    /// tolerance).
    /// </summary>
    public static TestWorkspace Separable(bool extraTestClip = false, string spec = Spec)
    {
        var workspace = new TestWorkspace();
        var builder = new ModelBuilder();
        var flat = builder.Node("Flatten", [builder.Input("audio", DataType.Float, "N", 1L, 16000L)], ("axis", 1L));
        var mean = builder.Node("ReduceMean", [flat], ("axes", new long[] { 1 }), ("keepdims", 1L));
        var logits = builder.Node("MatMul", [mean, builder.Initializer("w", [1f, -1f], 1, 2)]);
        builder.Graph.Output.Add(ModelBuilder.ValueInfo(logits, DataType.Float, "N", 2L));
        File.WriteAllBytes(workspace.ModelPath, builder.Build().ToByteArray());
        var data = Path.Combine(workspace.Folder, "data");
        foreach (var (label, level) in new[] { ("yes", 0.5f), ("no", -0.5f) })
        {
            var folder = Directory.CreateDirectory(Path.Combine(data, label)).FullName;
            for (var speaker = 0; speaker < 4; speaker++)
            {
                Compress.Audio.WavWriter.Write(Path.Combine(folder, $"speaker{speaker}_nohash_0.wav"), Enumerable.Repeat(level, 16000).ToArray(), 16000);
            }
        }

        var testing = new List<string> { "yes/speaker2_nohash_0.wav", "no/speaker2_nohash_0.wav" };
        if (extraTestClip)
        {
            Compress.Audio.WavWriter.Write(Path.Combine(data, "no", "speaker4_nohash_0.wav"), Enumerable.Repeat(0.5f, 16000).ToArray(), 16000);
            testing.Add("no/speaker4_nohash_0.wav");
        }

        File.WriteAllLines(Path.Combine(data, "validation_list.txt"), ["yes/speaker1_nohash_0.wav", "no/speaker1_nohash_0.wav"]);
        File.WriteAllLines(Path.Combine(data, "testing_list.txt"), testing);
        File.WriteAllText(workspace.SpecPath, spec);
        return workspace;
    }

    /// <summary>Short valid .wav files (0.1 s of silence) per label folder.</summary>
    public void WriteData(params (string Label, int Clips)[] labels)
    {
        foreach (var (label, clips) in labels)
        {
            var folder = Directory.CreateDirectory(Path.Combine(Folder, "data", label)).FullName;
            for (var i = 0; i < clips; i++)
            {
                Compress.Audio.WavWriter.Write(Path.Combine(folder, $"speaker{i}_nohash_0.wav"), new float[1600], 16000);
            }
        }
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
