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
