using System.Runtime.InteropServices;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Onnx;
using Compress.Core.Tests.Training;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;
using Google.Protobuf;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Pruning;

/// <summary>
/// <c>finetune.insert_batchnorm</c> on PyTorch's default (BatchNorm-folded) export: the inserted nodes change nothing
/// the file computes until trained, normalise a batch like the calibration data as the data itself, and fold back into
/// their Conv so that ONNX Runtime on the folded file computes what the executor computed with them.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class BatchNormInsertionTests
{
    private const string Folded = "dscnn_bn_op13";

    [Fact]
    public void Candidates_AreTheFoldedExportsConvs_AndNoneWhereBatchNormIsKept()
    {
        var folded = Load(Folded);
        var convs = folded.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Output[0]).ToList();
        Assert.Equal(5, convs.Count);
        Assert.Equal(convs, BatchNormInsertion.Candidates(folded));

        // Only the Convs whose weight is one of those asked for (the weights that feed the trained head).
        var first = folded.Graph.Node.First(n => n.OpType == "Conv");
        Assert.Equal([first.Output[0]], BatchNormInsertion.Candidates(folded, new HashSet<string> { first.Input[1] }));

        Assert.Empty(BatchNormInsertion.Candidates(Load("dscnn_bn_preserve_op13")));
    }

    [Fact]
    public void Candidates_SkipAConvWhoseWeightIsShared()
    {
        var model = Load(Folded);
        var convs = model.Graph.Node.Where(n => n.OpType == "Conv").ToList();
        // The two point-wise Convs (24 → 24, 1 × 1) read one weight.
        var pointwise = convs.Where(c => model.Graph.Initializer.Single(t => t.Name == c.Input[1]).Dims.SequenceEqual([24L, 24, 1, 1])).ToList();
        Assert.Equal(2, pointwise.Count);
        pointwise[1].Input[1] = pointwise[0].Input[1];

        var found = BatchNormInsertion.Candidates(model);
        Assert.Equal(3, found.Count);
        Assert.DoesNotContain(pointwise[0].Output[0], found);
        Assert.DoesNotContain(pointwise[1].Output[0], found);
    }

    [Fact]
    public void Candidates_SkipAConvNormalisedAfterItsActivation()
    {
        // Conv → Relu → BatchNormalization (a post-activation BatchNorm, kept by the export): that Conv needs none.
        var model = Load(Folded);
        var graph = model.Graph;
        var conv = graph.Node.First(n => n.OpType == "Conv");
        var relu = graph.Node.Single(n => n.OpType == "Relu" && n.Input[0] == conv.Output[0]);
        var channels = graph.Initializer.Single(t => t.Name == conv.Input[1]).Dims[0];
        var norm = new NodeProto { OpType = "BatchNormalization", Name = "post_relu_bn" };
        norm.Input.Add(relu.Output[0]);
        foreach (var (suffix, value) in new[] { ("scale", 1f), ("bias", 0f), ("mean", 0f), ("var", 1f) })
        {
            var values = Enumerable.Repeat(value, (int)channels).ToArray();
            var t = new TensorProto { Name = "post_relu_bn." + suffix, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
            t.Dims.Add(channels);
            graph.Initializer.Add(t);
            norm.Input.Add(t.Name);
        }

        norm.Output.Add("post_relu_bn.out");
        foreach (var reader in graph.Node.Where(n => n.Input.Contains(relu.Output[0])).ToList())
        {
            reader.Input[reader.Input.IndexOf(relu.Output[0])] = "post_relu_bn.out";
        }

        graph.Node.Insert(graph.Node.IndexOf(relu) + 1, norm);

        var found = BatchNormInsertion.Candidates(model);
        Assert.Equal(4, found.Count);
        Assert.DoesNotContain(conv.Output[0], found);
    }

    [Fact]
    public void Insert_ComputesWhatTheFileComputes_InTheExecutorAndInOnnxRuntime()
    {
        var model = Load(Folded);
        var inserted = InsertOn(model, Noise(model, 96, seed: 1), out var count);
        Assert.Equal(5, count);
        Assert.Equal(5, inserted.Graph.Node.Count(BatchNormInsertion.IsInserted));
        var input = Noise(model, 8, seed: 2);

        var expected = Executor(model, input);
        var actual = Executor(inserted, input);
        AssertClose(expected, actual, 1e-5, "executor, evaluation mode");

        var ort = OrtRunner.Run(inserted, [CaseTensor.Floats(model.Graph.Input[0].Name, input.Features, input.Shape)]).Values.Single();
        AssertClose(expected, (float[])ort.Data, 1e-5, "ONNX Runtime");
    }

    [Fact]
    public void Insert_NormalisesTheCalibrationBatch_AsItsOwnStatisticsDo()
    {
        // In training mode a BatchNormalization uses the batch's statistics; on the very clips the statistics were
        // measured on they are the same, so the model still computes what the file computes.
        var model = Load(Folded);
        var calibration = Noise(model, 64, seed: 3);
        var inserted = InsertOn(model, calibration, out _);
        var expected = Executor(model, calibration);

        using var module = OnnxGraphModule.Create(inserted);
        module.train();
        using var scope = NewDisposeScope();
        using var no = no_grad();
        var output = module.Forward(tensor(calibration.Features, calibration.Shape));
        AssertClose(expected, output.data<float>().ToArray(), 1e-3, "training mode on the calibration clips");
    }

    [Fact]
    public void Fold_AfterTrainingLikeChanges_MatchesTheExecutor_KeepsZeros_AndLeavesTheFilesNodes()
    {
        var model = Load(Folded);
        var inserted = InsertOn(model, Noise(model, 64, seed: 4), out _);
        // What training does to it: new scales, shifts and running statistics, and pruned Conv weights.
        var random = new Random(5);
        var changed = inserted.Clone();
        var zeros = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var norm in changed.Graph.Node.Where(BatchNormInsertion.IsInserted))
        {
            for (var i = 1; i <= 4; i++)
            {
                Perturb(changed.Graph.Initializer.Single(t => t.Name == norm.Input[i]), random, positive: i == 4);
            }
        }

        foreach (var conv in changed.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            var w = changed.Graph.Initializer.Single(t => t.Name == conv.Input[1]);
            var values = Floats(w);
            for (var i = 0; i < values.Length; i += 3)
            {
                values[i] = 0;
            }

            zeros[w.Name] = values.Count(v => v == 0);
            w.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }

        var folded = BatchNormInsertion.Fold(changed);

        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(model.Graph.Node.Select(n => n.OpType), folded.Graph.Node.Select(n => n.OpType));
        Assert.Equal(model.Graph.Node.SelectMany(n => n.Output), folded.Graph.Node.SelectMany(n => n.Output));
        Assert.DoesNotContain(folded.Graph.Initializer, t => t.Name.StartsWith(BatchNormInsertion.Prefix, StringComparison.Ordinal));
        foreach (var (name, count) in zeros)
        {
            Assert.Equal(count, Floats(folded.Graph.Initializer.Single(t => t.Name == name)).Count(v => v == 0));
        }

        var input = Noise(model, 8, seed: 6);
        var expected = Executor(changed, input);
        var ort = OrtRunner.Run(folded, [CaseTensor.Floats(model.Graph.Input[0].Name, input.Features, input.Shape)]).Values.Single();
        AssertClose(expected, (float[])ort.Data, 1e-4, "ONNX Runtime on the folded file against the executor with the BatchNorms");
    }

    [Fact]
    public void Fold_RefusesWhenAnInsertedNodeCannotBeFolded()
    {
        var model = Load(Folded);
        var inserted = InsertOn(model, Noise(model, 16, seed: 7), out _);
        // Something else reads a Conv's output before its BatchNormalization: the fold would change what it reads.
        var norm = inserted.Graph.Node.First(BatchNormInsertion.IsInserted);
        var extra = new NodeProto { OpType = "Identity", Name = "reader" };
        extra.Input.Add(norm.Input[0]);
        extra.Output.Add("extra");
        inserted.Graph.Node.Add(extra);

        var error = Assert.Throws<InvalidOperationException>(() => BatchNormInsertion.Fold(inserted));
        Assert.Contains("1 of 5 inserted BatchNormalization", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PruningMethod.Magnitude, 0.8)]
    [InlineData(PruningMethod.Channel, 0.5)]
    public void Engine_TrainsWithThemAndShipsTheFilesGraph(PruningMethod method, double target)
    {
        var model = Load(Folded);
        var pruning = new PruningOptions(method, target, ProtectFirstAndLast: false, Schedule: new ScheduleOptions(ScheduleKind.OneShot));
        var options = new FineTuneOptions(Epochs: 2, BatchSize: 16, LearningRate: 1e-3, Seed: 1, Threads: 1, InsertBatchNorm: true);
        var result = new CompressionEngine().Run(model, Data(model, 64, 1), Data(model, 32, 2), pruning, options);

        Assert.Equal(5, result.InsertedBatchNorms);
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(model.Graph.Node.Select(n => n.OpType), result.Model.Graph.Node.Select(n => n.OpType));
        if (method == PruningMethod.Magnitude)
        {
            Assert.Equal(target, result.TotalSparsity, 3);
        }
        else
        {
            // Channel pruning shrank the Convs (and the BatchNorms with them) before they were folded.
            var first = result.Model.Graph.Node.First(n => n.OpType == "Conv");
            Assert.Equal(12, result.Model.Graph.Initializer.Single(t => t.Name == first.Input[1]).Dims[0]);
        }

        var input = Noise(model, 8, seed: 9);
        var executor = Executor(result.Model, input);
        var ort = OrtRunner.Run(result.Model, [CaseTensor.Floats(model.Graph.Input[0].Name, input.Features, input.Shape)]).Values.Single();
        AssertClose(executor, (float[])ort.Data, 1e-4, "ONNX Runtime against the executor on the shipped graph");
        // Without the option the same run trains without them.
        var plain = new CompressionEngine().Run(model, Data(model, 64, 1), Data(model, 32, 2), pruning, options with { InsertBatchNorm = false });
        Assert.Equal(0, plain.InsertedBatchNorms);
    }

    private static ModelProto Load(string name) => PrunableWeights.Prepare(OnnxModelIO.Load(ExportedFixtures.Get(name).Path));

    private static ModelProto InsertOn(ModelProto model, Batch calibration, out int count)
    {
        var convs = BatchNormInsertion.Candidates(model);
        count = convs.Count;
        using var module = OnnxGraphModule.Create(model);
        var data = new ArrayTrainingData(calibration.Features, [.. calibration.Shape.Skip(1)], new int[calibration.Shape[0]]);
        return BatchNormInsertion.Insert(model, BatchNormInsertion.Measure(module, convs, data, batchSize: 16));
    }

    private static long[] ItemShape(ModelProto model) =>
        [.. model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];

    private static Batch Noise(ModelProto model, int count, int seed)
    {
        var item = ItemShape(model);
        var size = (int)item.Aggregate(1L, (a, d) => a * d);
        return new Batch(TinyModels.Uniform(new Random(seed), count * size, 2), [count, .. item], new long[count]);
    }

    private static ArrayTrainingData Data(ModelProto model, int count, int seed)
    {
        var batch = Noise(model, count, seed);
        var random = new Random(seed + 100);
        return new ArrayTrainingData(batch.Features, ItemShape(model), [.. Enumerable.Range(0, count).Select(_ => random.Next(ExportedFixtures.Get(Folded).Classes))]);
    }

    private static float[] Executor(ModelProto model, Batch input)
    {
        using var module = OnnxGraphModule.Create(model);
        module.eval();
        using var scope = NewDisposeScope();
        using var no = no_grad();
        return module.Forward(tensor(input.Features, input.Shape)).data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1, Math.Abs(e))).Max();
        Assert.True(worst <= tolerance, $"{what}: largest relative difference {worst:g3} > {tolerance:g3}");
    }

    private static float[] Floats(TensorProto t) => MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();

    private static void Perturb(TensorProto t, Random random, bool positive)
    {
        var values = Floats(t).Select(v => positive ? v * (float)(0.5 + random.NextDouble()) : v + (float)((random.NextDouble() * 2) - 1) * Math.Max(0.1f, Math.Abs(v))).ToArray();
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
