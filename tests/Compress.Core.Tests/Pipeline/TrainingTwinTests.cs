using Compress.Data;
using Compress.Diagnostics;
using Compress.Export;
using Compress.Features;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pipeline;
using Compress.Spec;
using Microsoft.ML.OnnxRuntime;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary>The batched training copy of models as exporters write them: batch fixed at 1, time-last layouts, extra inputs.</summary>
public sealed class TrainingTwinTests
{
    private static readonly FrontEndOptions LogMel = new SpecFeatures().ToFrontEnd();
    private static readonly FrontEndOptions Raw = LogMel with { Kind = FrontEndKind.None };

    [Fact]
    public void FixedBatchReshape_IsRewrittenToCopyTheBatch_ProvenOnClips_AndTheExportKeepsBatchOne()
    {
        // [1, 16, 96] → Reshape [1, -1] → Gemm → [1, 2]: the wake-word head as exported with static shapes.
        var model = Head(reshape: [1, -1]);
        var twin = TrainingTwin.Build(model, ModelInputOptions.Default, Raw, "head.onnx");

        Assert.True(twin.FixedBatch);
        Assert.Equal("batch", twin.Working.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("batch", twin.Working.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([], BatchEquivalence.Prove(twin, new Items(6, 16, 96), "head.onnx"));

        // Eight clips run as one batch by ONNX Runtime on the copy.
        using (var session = new InferenceSession(OnnxModelIO.Save(twin.Working)))
        using (var input = OrtValue.CreateTensorValueFromMemory(new float[8 * 16 * 96], [8, 16, 96]))
        using (var results = session.Run(new RunOptions(), ["x"], [input], ["y"]))
        {
            Assert.Equal([8L, 2], results[0].GetTensorTypeAndShape().Shape);
        }

        var restored = twin.Restore(twin.Working, keepLayout: false, ExportBatch.Keep);
        Assert.Equal(1, restored.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.Equal(1, restored.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.Equal([1L, -1], restored.Graph.Initializer.First(t => t.Name == "shape").Int64Data);
        var items = new Items(3, 16, 96);
        var (batch, shape) = VerificationBatch.Of(items, twin.Working);
        var bytes = OnnxModelIO.Save(twin.Working);
        Assert.Equal([], BatchEquivalence.CheckShipped(twin, twin.Working, bytes, OnnxModelIO.Save(restored), items, keepLayout: false, "out.onnx"));
        Assert.Equal([3L, 16, 96], shape);
        Assert.Equal(3 * 16 * 96, batch.Length);

        var dynamic = twin.Restore(twin.Working, keepLayout: false, ExportBatch.Dynamic);
        Assert.Equal("batch", dynamic.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([0L, -1], dynamic.Graph.Initializer.First(t => t.Name == "shape").Int64Data);
    }

    [Fact]
    public void FixedBatchReshape_OverANonBatchAxis_IsRefusedWithCmp2130NamingTheNode()
    {
        // Transpose puts 16 first, then Reshape [1, -1]: its leading 1 is not the batch, so copying the batch is wrong.
        var model = Head(reshape: [1, -1], transposeFirst: true);
        var twin = TrainingTwin.Build(model, ModelInputOptions.Default, Raw, "head.onnx");

        var problems = BatchEquivalence.Prove(twin, new Items(6, 16, 96), "head.onnx");

        var problem = Assert.Single(problems);
        Assert.Equal(ModelMessages.BatchNotEquivalentCode, problem.Code);
        Assert.Contains("fixed by flatten", problem.Message, StringComparison.Ordinal);
        Assert.Contains("dynamic_axes", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeLastInput_GetsATransposeFromTheFrontEndLayout_AndMatchesOrtOnTheFile()
    {
        // A TCN-like model taking [N, 40 bins, 49 frames]: the front end produces [N, 1, 49, 40].
        var model = TimeLast(LogMel.Bins, LogMel.Frames);
        var twin = TrainingTwin.Build(model, ModelInputOptions.Default, LogMel, "tcn.onnx");

        Assert.Equal([0L, 2, 1], twin.Permutation!);
        var dims = twin.Working.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal([49L, 40], dims.Skip(1).Select(d => d.DimValue));
        var items = new Items(3, 1, LogMel.Frames, LogMel.Bins);
        var restored = twin.Restore(twin.Working, keepLayout: false, ExportBatch.Keep);
        Assert.Equal([40L, 49], restored.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal([], BatchEquivalence.CheckShipped(twin, twin.Working, OnnxModelIO.Save(twin.Working), OnnxModelIO.Save(restored), items, keepLayout: false, "out.onnx"));

        // The check can fail: the file fed the front end's layout unpermuted is refused.
        Assert.Equal(ModelMessages.ShippedTwinMismatchCode, Assert.Single(BatchEquivalence.CheckShipped(twin, twin.Working, OnnxModelIO.Save(twin.Working), OnnxModelIO.Save(restored), items, keepLayout: true, "out.onnx")).Code);
    }

    [Fact]
    public void SquareInput_WithoutLayout_IsCmp1041_AndAMismatchIsCmp1040NamingBothShapes()
    {
        var square = LogMel with { MelBins = LogMel.Frames };
        var ambiguous = Assert.Throws<CompressException>(() => TrainingTwin.Build(TimeLast(49, 49), ModelInputOptions.Default, square, "m.onnx"));
        Assert.Equal(
            "error CMP1041: the model's input 'x' is [N, 49, 49]: frames and bins have the same size, so the layout cannot be inferred; set features.layout to one of [batch, frames, bins], [batch, bins, frames]",
            Text(Assert.Single(ambiguous.Diagnostics)));
        Assert.Equal([0L, 2, 1], TrainingTwin.Build(TimeLast(49, 49), ModelInputOptions.Default with { Layout = new InputLayout([LayoutAxis.Batch, LayoutAxis.Bins, LayoutAxis.Frames]) }, square, "m.onnx").Permutation!);

        var mismatch = Assert.Throws<CompressException>(() => TrainingTwin.Build(TimeLast(40, 98), ModelInputOptions.Default, LogMel, "m.onnx"));
        Assert.Equal(
            "error CMP1040: the model's input 'x' is [N, 40, 98], but the features are [batch, 1, 49 frames, 40 bins]; no layout of frames and bins fits it: set features.mel_bins (or coefficients), clip_seconds and hop_ms to the model's sizes",
            Text(Assert.Single(mismatch.Diagnostics)));
    }

    [Fact]
    public void ExtraStateInput_FedAsZeros_FollowsTheBatch_AndStaysAnInputOfTheExport()
    {
        var model = WithState();
        var missing = Assert.Throws<CompressException>(() => TrainingTwin.Build(model, ModelInputOptions.Default, Raw, "gru.onnx"));
        Assert.Equal(
            "error CMP1042: the model has inputs besides the features that need a value: h0; give each one under model.inputs (zeros, a number or a .npy file), e.g. 'inputs: {h0: zeros}'. The model's inputs: x [N, 8] (features); h0 [2, N, 4]",
            Text(Assert.Single(missing.Diagnostics)));

        var options = ModelInputOptions.Default with { Extras = new Dictionary<string, ExtraInputSpec> { ["h0"] = new(ExtraInputKind.Number, 0.5, null, null, new SpecLocation("s.yaml", 3, 9)) } };
        var twin = TrainingTwin.Build(model, options, Raw, "gru.onnx");

        Assert.Equal(["x"], twin.Working.Graph.Input.Select(i => i.Name));
        var items = new Items(5, 8);
        var (batch, shape) = VerificationBatch.Of(items, twin.Working);
        using (var session = new InferenceSession(OnnxModelIO.Save(twin.Working)))
        using (var input = OrtValue.CreateTensorValueFromMemory(batch, shape))
        using (var results = session.Run(new RunOptions(), ["x"], [input], ["y"]))
        {
            // y = x·W + sum over the state (2 × 4 × 0.5 = 4 per row).
            var y = results[0].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(5 * 3, y.Length);
            Assert.Equal(batch[0] + 4f, y[0], 4);
        }

        var restored = twin.Restore(twin.Working, keepLayout: false, ExportBatch.Keep);
        Assert.Equal(["x", "h0"], restored.Graph.Input.Select(i => i.Name));
        Assert.DoesNotContain(restored.Graph.Node, n => n.Name.StartsWith("compress_inputs/", StringComparison.Ordinal));
        Assert.Equal([], BatchEquivalence.CheckShipped(twin, twin.Working, OnnxModelIO.Save(twin.Working), OnnxModelIO.Save(restored), items, keepLayout: false, "out.onnx"));

        var unknown = ModelInputOptions.Default with { Extras = new Dictionary<string, ExtraInputSpec>(options.Extras) { ["c0"] = new(ExtraInputKind.Zeros, 0, null, null, new SpecLocation("s.yaml", 4, 9)) } };
        Assert.Equal(
            "s.yaml(4,9): error CMP1043: model.inputs.c0: the model has no such input; its inputs are x, h0",
            Assert.Single(Assert.Throws<CompressException>(() => TrainingTwin.Build(model, unknown, Raw, "gru.onnx")).Diagnostics).ToString());
    }

    /// <summary>x [1,16,96] (→ Transpose [16,1,96] when <paramref name="transposeFirst"/>) → Reshape → Gemm [1536→2] → y [1,2].</summary>
    private static ModelProto Head(long[] reshape, bool transposeFirst = false)
    {
        var g = new GraphProto { Name = "head" };
        g.Input.Add(ModelBuilder.ValueInfo("x", DataType.Float, 1L, 16L, 96L));
        g.Output.Add(ModelBuilder.ValueInfo("y", DataType.Float, 1L, 2L));
        g.Initializer.Add(ModelBuilder.Tensor("shape", reshape, reshape.Length));
        var random = new Random(3);
        g.Initializer.Add(ModelBuilder.Tensor("w", Enumerable.Range(0, 1536 * 2).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), 1536, 2));
        var source = "x";
        if (transposeFirst)
        {
            g.Node.Add(Node("Transpose", "swap", ["x"], "xt", ModelBuilder.Attribute("perm", new long[] { 1, 0, 2 })));
            source = "xt";
        }

        g.Node.Add(Node("Reshape", "flatten", [source, "shape"], "flat"));
        g.Node.Add(Node("MatMul", "gemm", ["flat", "w"], "y"));
        return Model(g, 13);
    }

    /// <summary>x [N, a, b] → ReduceMean over the last axis → MatMul [a→3] → y [N, 3]; b must be the frames for a time-last model.</summary>
    private static ModelProto TimeLast(long a, long b)
    {
        var g = new GraphProto { Name = "tcn" };
        g.Input.Add(ModelBuilder.ValueInfo("x", DataType.Float, "N", a, b));
        g.Output.Add(ModelBuilder.ValueInfo("y", DataType.Float, "N", 3L));
        var random = new Random(5);
        g.Initializer.Add(ModelBuilder.Tensor("w", Enumerable.Range(0, (int)a * 3).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), a, 3));
        g.Node.Add(Node("ReduceMean", "pool", ["x"], "pooled", ModelBuilder.Attribute("axes", new long[] { 2 }), ModelBuilder.Attribute("keepdims", 0L)));
        g.Node.Add(Node("MatMul", "fc", ["pooled", "w"], "y"));
        return Model(g, 13);
    }

    /// <summary>x [N, 8], h0 [2, N, 4] → y = x·W [8→3] + ReduceSum(h0) over axes 0 and 2 (broadcast over the 3 outputs).</summary>
    private static ModelProto WithState()
    {
        var g = new GraphProto { Name = "state" };
        g.Input.Add(ModelBuilder.ValueInfo("x", DataType.Float, "N", 8L));
        g.Input.Add(ModelBuilder.ValueInfo("h0", DataType.Float, 2L, "N", 4L));
        g.Output.Add(ModelBuilder.ValueInfo("y", DataType.Float, "N", 3L));
        var w = new float[8 * 3];
        w[0] = 1; // y[:, 0] = x[:, 0] + state sum
        g.Initializer.Add(ModelBuilder.Tensor("w", w, 8, 3));
        g.Node.Add(Node("MatMul", "fc", ["x", "w"], "xw"));
        g.Node.Add(Node("Transpose", "batch_first", ["h0"], "hb", ModelBuilder.Attribute("perm", new long[] { 1, 0, 2 })));
        g.Node.Add(Node("ReduceSum", "state_sum", ["hb"], "s", ModelBuilder.Attribute("axes", new long[] { 1, 2 }), ModelBuilder.Attribute("keepdims", 0L)));
        g.Node.Add(Node("Unsqueeze", "column", ["s"], "s1", ModelBuilder.Attribute("axes", new long[] { 1 })));
        g.Node.Add(Node("Add", "plus_state", ["xw", "s1"], "y"));
        return Model(g, 12);
    }

    private static string Text(Diagnostic d) => $"error {d.Code}: {d.Message}";

    private static ModelProto Model(GraphProto g, long opset)
    {
        var model = new ModelProto { IrVersion = 7, Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private sealed record SpecFeatures
    {
        public FrontEndOptions ToFrontEnd() => new FeaturesSpec().ToFrontEnd();
    }

    /// <summary>Deterministic, distinct items of one shape.</summary>
    private sealed class Items(int count, params long[] shape) : IFeatureSet
    {
        public int Count => count;

        public IReadOnlyList<long> ItemShape => shape;

        public int LabelOf(int index) => index % 2;

        public void ReadFeatures(int index, Span<float> destination)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = MathF.Sin((index * 7.1f) + (i * 0.37f));
            }
        }

        public void Dispose()
        {
        }
    }
}
