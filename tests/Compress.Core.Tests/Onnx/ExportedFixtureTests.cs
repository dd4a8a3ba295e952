using Compress.Core.Tests.Graph;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx;

namespace Compress.Core.Tests.Onnx;

/// <summary>
/// Every model of the committed PyTorch-exported corpus (tests/fixtures/exported, see tools/fixtures/README.md):
/// Compress loads it, ONNX Runtime reproduces PyTorch's recorded output, and the executor matches ONNX Runtime —
/// on the recorded input and, through the product's own parity check, at another batch size. Known gaps are listed,
/// with their reasons, in <see cref="ExportedFixtureExpectations"/>.
/// </summary>
public sealed class ExportedFixtureTests
{
    /// <summary>ONNX Runtime against PyTorch 1.13 on the same input: both float32, different kernels.</summary>
    private static readonly Tolerance PyTorchTolerance = new(1e-4);

    [Fact]
    public void Corpus_DescribesEveryCommittedModel_AndEveryDescribedFileExists()
    {
        var described = ExportedFixtures.ByName.Values.Select(f => Path.GetFileName(f.Path)).Order(StringComparer.Ordinal);
        var committed = Directory.GetFiles(ExportedFixtures.Folder, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(committed, described);
        Assert.True(ExportedFixtures.ByName.Count >= 13, $"{ExportedFixtures.ByName.Count} fixtures");
        var files = ExportedFixtures.ByName.Values.SelectMany(f => f.Inputs.Concat(f.Outputs)).Select(t => t.File).ToList();
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(ExportedFixtures.Folder, file)), file));
        var binaries = Directory.GetFiles(ExportedFixtures.Folder, "*.bin").Select(Path.GetFileName);
        Assert.Equal(binaries.Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Corpus_CoversTheExportModesUsersHit()
    {
        var all = ExportedFixtures.ByName.Values.ToList();
        Assert.Equal([13L, 15L, 17L], all.Select(f => f.Opset).Distinct().Order());
        Assert.Equal(["eval", "preserve", "training"], all.Select(f => f.Training).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(all, f => !f.ConstantFolding);
        Assert.Equal(["log_softmax", "logits", "sigmoid", "softmax"], all.Select(f => f.Head).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(all, f => f.Inputs.Any(i => i.Role == "state"));
        Assert.Contains(all, f => f.Inputs[0].Layout is ["batch", "bins", "frames"]);
        Assert.Contains(all, f => f.Inputs[0].Layout is ["batch", "frames", "bins", "channel"]);

        // Issue 20's CTC models: per-frame scores on a dynamic time axis, batch-major log-probabilities and time-major
        // logits, over blank + space + a-z + apostrophe.
        var ctc = all.Where(f => f.Task == "ctc").ToList();
        Assert.Equal(["classification", "ctc"], all.Select(f => f.Task).Distinct().Order(StringComparer.Ordinal));
        Assert.All(ctc, f => Assert.True(f.DynamicBatch && f.DynamicTime && f.Classes == 29, f.Name));
        Assert.Contains(ctc, f => f.Head == "log_softmax" && f.Outputs[0].Layout is ["batch", "time", "vocab"]);
        Assert.Contains(ctc, f => f.Head == "logits" && f.Outputs[0].Layout is ["time", "batch", "vocab"]);
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Fixture_LoadsWithCompressLoader_WithTheDescribedSignatureAndParameters(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var model = OnnxModelIO.Load(fixture.Path);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);

        Assert.Equal(fixture.Opset, Assert.Single(model.OpsetImport, o => o.Domain is "" or "ai.onnx").Version);
        Assert.Equal(fixture.Inputs.Select(i => i.Name), graph.Input.Where(i => !initializers.ContainsKey(i.Name)).Select(i => i.Name));
        Assert.Equal(fixture.Outputs.Select(o => o.Name), graph.Output.Select(o => o.Name));
        foreach (var input in fixture.Inputs)
        {
            var declared = graph.Input.Single(i => i.Name == input.Name).Type.TensorType.Shape.Dim;
            Assert.Equal(input.RecordedShape.Length, declared.Count);
            Assert.Equal(input.RecordedShape.Length, input.Layout!.Count);
        }

        foreach (var p in fixture.Parameters.Concat(fixture.Buffers))
        {
            Assert.Equal(p.Shape.Aggregate(1L, (a, d) => a * d), p.Elements);
            Assert.Equal(p.OnnxInitializer, initializers.ContainsKey(p.Name));
            if (p.OnnxInitializer)
            {
                Assert.Equal(p.Shape, initializers[p.Name].Dims);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Fixture_OnnxRuntimeReproducesThePyTorchOutputRecordedAtExport(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var ort = OrtRunner.Run(File.ReadAllBytes(fixture.Path), fixture.RecordedInputs());
        ParityAssert.Equal(fixture.RecordedOutputs(), ort, PyTorchTolerance);
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Fixture_ExecutorMatchesOnnxRuntime_OnTheRecordedInput(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        var model = OnnxModelIO.Load(fixture.Path);
        var inputs = fixture.RecordedInputs();
        var expected = OrtRunner.Run(model, inputs);
        ExportedFixtureExpectations.Check(name, () => ParityAssert.Equal(expected, ExecutorRunner.Run(model, inputs), Tolerance.Parity));
    }

    [Theory]
    [MemberData(nameof(ExportedFixtures.Names), MemberType = typeof(ExportedFixtures))]
    public void Fixture_PassesTheParityCheck_AtBatch3(string name)
    {
        var fixture = ExportedFixtures.Get(name);
        // A dynamic time axis (the CTC models) runs at another length than recorded, odd, so a stride-2 layer rounds up.
        var result = ParityCheck.Run(OnnxModelIO.Load(fixture.Path), dims: new Dictionary<string, long> { ["N"] = 3, ["T"] = 37 }, file: fixture.Path);
        ExportedFixtureExpectations.Check(name, () =>
        {
            Assert.True(result.Passed, string.Join("; ", result.Diagnostics.Select(d => d.ToString())));
            Assert.Equal(fixture.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal), result.Outputs.Select(o => o.Output).Order(StringComparer.Ordinal));
            // The check really ran at batch 3 where the batch is dynamic (else at the file's fixed batch of 1).
            var batchAxis = fixture.Inputs[0].Layout!.ToList().IndexOf("batch");
            Assert.Equal(fixture.DynamicBatch ? 3 : 1, result.Inputs[0].Shape[batchAxis]);
            if (fixture.DynamicTime)
            {
                Assert.Equal(37, result.Inputs[0].Shape[fixture.Inputs[0].Layout!.ToList().IndexOf("frames")]);
                var output = fixture.Outputs[0];
                Assert.Equal(19, result.Outputs.Single(o => o.Output == output.Name).Shape[output.Layout!.ToList().IndexOf("time")]);
            }
        });
    }
}
