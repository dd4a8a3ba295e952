using Compress.Evaluation;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

/// <summary>Constant sub-graphs folded into initializers: what folds, what does not, provenance, and parity with ONNX Runtime and the executor.</summary>
public sealed class ConstantFoldingTests
{
    private static float[] Floats(long count, int seed) => (float[])CaseTensor.Random("w", seed, -1, 1, count).Data;

    private static long[] Dims(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();

    /// <summary>The folded model gives the original's outputs in ONNX Runtime and in the executor (1e-5), and has no node of the folded kinds left.</summary>
    private static FoldedModel FoldAndCheckParity(ModelProto model, params CaseTensor[] inputs)
    {
        var folded = ConstantFolding.Fold(model);
        var expected = OrtRunner.Run(model, inputs);
        ParityAssert.Equal(expected, OrtRunner.Run(folded.Model, inputs), new Tolerance(1e-5, 0));
        ParityAssert.Equal(expected, ExecutorRunner.Run(folded.Model, inputs), new Tolerance(1e-4, 0));
        return folded;
    }

    /// <summary>
    /// As PyTorch exports a GRU with do_constant_folding=False: W, R and B sliced per gate, reordered (r,z,n → z,r,n)
    /// by Concat and given a direction axis by Unsqueeze; the initial state is ConstantOfShape of the batch size.
    /// </summary>
    internal static ModelProto GruAsExported(bool zeroState = true, int hidden = 8, bool bidirectional = false)
    {
        const int features = 6, classes = 3;
        var dirs = bidirectional ? 2 : 1;
        var b = new ModelBuilder(13);
        var x = b.Input("input", DataType.Float, "N", 5L, (long)features);
        var seq = b.Node("Transpose", [x], ("perm", new long[] { 1, 0, 2 }));
        string Reordered(string name, float[] values, long cols, string prefix)
        {
            var source = cols == 0 ? b.Initializer(name, values, 3 * hidden) : b.Initializer(name, values, 3 * hidden, cols);
            var zero = b.Initializer($"{prefix}.axes", new long[] { 0 }, 1);
            string Gate(int g) => b.Node("Slice", [source, b.Initializer($"{prefix}.start{g}", new long[] { g * hidden }, 1), b.Initializer($"{prefix}.end{g}", new long[] { (g + 1) * hidden }, 1), zero]);
            var concat = b.Node("Concat", [Gate(1), Gate(0), Gate(2)], ("axis", 0L));
            return b.Node("Unsqueeze", [concat, b.Initializer($"{prefix}.unsqueeze", new long[] { 0 }, 1)]);
        }

        string Direction(string suffix, int seed)
        {
            var w = Reordered($"rnn.weight_ih_l0{suffix}", Floats(3 * hidden * features, seed), features, $"w{suffix}");
            var r = Reordered($"rnn.weight_hh_l0{suffix}", Floats(3 * hidden * hidden, seed + 1), hidden, $"r{suffix}");
            var bias = b.Node("Concat", [Reordered($"rnn.bias_ih_l0{suffix}", Floats(3 * hidden, seed + 2), 0, $"bi{suffix}"), Reordered($"rnn.bias_hh_l0{suffix}", Floats(3 * hidden, seed + 3), 0, $"bh{suffix}")], ("axis", 1L));
            return string.Join("|", w, r, bias);
        }

        var forward = Direction("", 1).Split('|');
        string w, r, bias;
        if (bidirectional)
        {
            var backward = Direction("_reverse", 11).Split('|');
            (w, r, bias) = (b.Node("Concat", [forward[0], backward[0]], ("axis", 0L)), b.Node("Concat", [forward[1], backward[1]], ("axis", 0L)), b.Node("Concat", [forward[2], backward[2]], ("axis", 0L)));
        }
        else
        {
            (w, r, bias) = (forward[0], forward[1], forward[2]);
        }

        var batch = b.Node("Unsqueeze", [b.Node("Gather", [b.Node("Shape", [x]), b.Initializer("zero", new long[] { 0 })], ("axis", 0L)), b.Initializer("axis0", new long[] { 0 }, 1)]);
        var shape = b.Node("Concat", [b.Initializer("dirs", new long[] { dirs }, 1), batch, b.Initializer("hidden", new long[] { hidden }, 1)], ("axis", 0L));
        var fill = ModelBuilder.Tensor("fill", [zeroState ? 0f : 0.5f], 1);
        var h0 = b.Node("ConstantOfShape", [shape], ("value", fill));
        var outputs = b.Node("GRU", [seq, w, r, bias, "", h0], 2, "", ("hidden_size", (long)hidden), ("direction", bidirectional ? "bidirectional" : "forward"));
        string last;
        if (bidirectional)
        {
            // Y [T, 2, N, H] → [T, N, 2, H] → [T, N, 2H] → [N, T, 2H] → last step.
            var merged = b.Node("Reshape", [b.Node("Transpose", [outputs[0]], ("perm", new long[] { 0, 2, 1, 3 })), b.Initializer("merge", new long[] { 0, 0, -1 }, 3)]);
            last = b.Node("Gather", [b.Node("Transpose", [merged], ("perm", new long[] { 1, 0, 2 })), b.Initializer("last", new long[] { -1 })], ("axis", 1L));
        }
        else
        {
            var y = b.Node("Transpose", [b.Node("Squeeze", [outputs[0], b.Initializer("squeeze", new long[] { 1 }, 1)])], ("perm", new long[] { 1, 0, 2 }));
            last = b.Node("Gather", [y, b.Initializer("last", new long[] { -1 })], ("axis", 1L));
        }

        // nn.Linear exported without folding: MatMul(x, Transpose(weight)) + bias.
        var logits = b.Node("Add", [b.Node("MatMul", [last, b.Node("Transpose", [b.Initializer("fc.weight", Floats(classes * dirs * hidden, 9), classes, dirs * hidden)], ("perm", new long[] { 1, 0 }))]), b.Initializer("fc.bias", Floats(classes, 10), classes)]);
        b.Output(logits);
        return b.Build();
    }

    private static CaseTensor GruInput => CaseTensor.Random("input", 3, -2, 2, 4, 5, 6);

    [Fact]
    public void GruAsExported_FoldsGatesAndLinear_WithProvenance_AndKeepsParity()
    {
        var model = GruAsExported();
        var folded = FoldAndCheckParity(model, GruInput);

        var gru = folded.Model.Graph.Node.Single(n => n.OpType == "GRU");
        Assert.Equal([1, 24, 6], Dims(folded.Model, gru.Input[1]));
        Assert.Equal([1, 24, 8], Dims(folded.Model, gru.Input[2]));
        Assert.Equal([1, 48], Dims(folded.Model, gru.Input[3]));
        Assert.Equal(["rnn.weight_ih_l0"], folded.Sources[gru.Input[1]]);
        Assert.Equal(["rnn.weight_hh_l0"], folded.Sources[gru.Input[2]]);
        Assert.Equal(["rnn.bias_ih_l0", "rnn.bias_hh_l0"], folded.Sources[gru.Input[3]]);
        var matmul = folded.Model.Graph.Node.Single(n => n.OpType == "MatMul");
        Assert.Equal([8, 3], Dims(folded.Model, matmul.Input[1]));
        Assert.Equal(["fc.weight"], folded.Sources[matmul.Input[1]]);

        // The PyTorch parameters and the gate slicing are gone: no dead weights in what is exported.
        Assert.DoesNotContain(folded.Model.Graph.Initializer, t => t.Name.StartsWith("rnn.", StringComparison.Ordinal) || t.Name == "fc.weight" || t.Name.Contains("start", StringComparison.Ordinal));
        Assert.Contains("rnn.weight_ih_l0", folded.RemovedInitializers);
        Assert.DoesNotContain(folded.Model.Graph.Node, n => n.OpType is "Slice" or "Transpose" && n.Input[0].StartsWith("rnn", StringComparison.Ordinal));
        Assert.Single(folded.Model.Graph.Node, n => n.OpType == "Concat"); // only the initial state's run-time shape

        // The run-time initial state (its shape depends on the batch) is left alone.
        Assert.Contains(folded.Model.Graph.Node, n => n.OpType == "ConstantOfShape");
        Assert.Contains(folded.Model.Graph.Node, n => n.OpType == "Shape");

        // The provenance travels with the model (to the export and to the one prunable rule).
        Assert.Equal(folded.Sources.Where(p => p.Value.Count > 0).OrderBy(p => p.Key), ConstantFolding.Provenance(folded.Model).OrderBy(p => p.Key));
        var prunable = PrunableWeights.Find(folded.Model, new PruningOptions());
        Assert.Equal([$"{gru.Input[1]} (rnn.weight_ih_l0)", $"{gru.Input[2]} (rnn.weight_hh_l0)", $"{matmul.Input[1]} (fc.weight)"], prunable.Select(t => t.DisplayName));
    }

    [Fact]
    public void Unfolded_GruWeightsAreNotPrunable_FoldedTheyAre()
    {
        var model = GruAsExported();
        Assert.Empty(PrunableWeights.Find(model, new PruningOptions()));
        Assert.Equal(3, PrunableWeights.Find(PrunableWeights.Prepare(model), new PruningOptions()).Count);
    }

    [Fact]
    public void IncludeAndExclude_MatchTheSourceName()
    {
        var model = PrunableWeights.Prepare(GruAsExported());
        var found = PrunableWeights.Find(model, new PruningOptions(Exclude: ["rnn.weight_hh_*"], ProtectFirstAndLast: false));
        Assert.Equal([PrunableStatus.Eligible, PrunableStatus.Excluded, PrunableStatus.Eligible], found.Select(t => t.Status));
        var only = PrunableWeights.Find(model, new PruningOptions(Include: ["fc.weight"], ProtectFirstAndLast: false));
        Assert.Equal([PrunableStatus.Excluded, PrunableStatus.Excluded, PrunableStatus.Eligible], only.Select(t => t.Status));
    }

    [Fact]
    public void IdentityOfAWeightStillReadDirectly_IsCopied_AsPyTorchPreserveExportsBatchNorm()
    {
        // TrainingMode.PRESERVE: bn.running_var = Identity(bn.weight), bn.running_mean = Identity(bn.bias) (equal values, deduplicated).
        var b = new ModelBuilder(13);
        var x = b.Input("input", DataType.Float, "N", 2L, 4L, 4L);
        var conv = b.Node("Conv", [x, b.Initializer("c.weight", Floats(4 * 2 * 9, 1), 4, 2, 3, 3)], ("pads", new long[] { 1, 1, 1, 1 }));
        var weight = b.Initializer("bn.weight", Floats(4, 2).Select(v => v + 2).ToArray(), 4);
        var bias = b.Initializer("bn.bias", Floats(4, 3), 4);
        b.Graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "bn.weight" }, Output = { "bn.running_var" } });
        b.Graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "bn.bias" }, Output = { "bn.running_mean" } });
        b.Output(b.Node("BatchNormalization", [conv, weight, bias, "bn.running_mean", "bn.running_var"]));
        var folded = FoldAndCheckParity(b.Build(), CaseTensor.Random("input", 4, -1, 1, 2, 2, 4, 4));

        Assert.Equal(["bn.weight"], folded.Sources["bn.running_var"]);
        Assert.Equal([4L], Dims(folded.Model, "bn.running_var"));
        Assert.Equal([4L], Dims(folded.Model, "bn.weight"));
        Assert.Empty(folded.RemovedInitializers);
        Assert.DoesNotContain(folded.Model.Graph.Node, n => n.OpType == "Identity");
    }

    [Fact]
    public void AFoldedValueReadTwice_IsOneInitializer()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var shared = b.Node("Transpose", [b.Initializer("tied.weight", Floats(16, 1), 4, 4)], ("perm", new long[] { 1, 0 }));
        b.Output(b.Node("MatMul", [b.Node("Relu", [b.Node("MatMul", [x, shared])]), shared]));
        var folded = FoldAndCheckParity(b.Build(), CaseTensor.Random("x", 2, -1, 1, 3, 4));

        var tensor = Assert.Single(folded.Model.Graph.Initializer);
        Assert.Equal(shared, tensor.Name);
        var prunable = Assert.Single(PrunableWeights.Find(folded.Model, new PruningOptions()));
        Assert.Equal(2, prunable.Uses.Count);
    }

    [Fact]
    public void ConstantNodeWeights_BecomeInitializers_ButScalarsStayConstants()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var weight = b.Node("Constant", [], ("value", ModelBuilder.Tensor("w", Floats(16, 5), 4, 4)));
        var scale = b.Node("Constant", [], ("value", ModelBuilder.Tensor("s", [0.5f])));
        var cast = b.Node("Cast", [b.Node("Constant", [], ("value", ModelBuilder.Tensor("d", Floats(8, 6), 4, 2)))], ("to", (long)DataType.Float));
        b.Output(b.Node("MatMul", [b.Node("Mul", [b.Node("MatMul", [x, weight]), scale]), cast]));
        var folded = FoldAndCheckParity(b.Build(), CaseTensor.Random("x", 2, -1, 1, 3, 4));

        Assert.Equal([weight, cast], folded.Model.Graph.Initializer.Select(t => t.Name));
        Assert.Equal(scale, Assert.Single(folded.Model.Graph.Node, n => n.OpType == "Constant").Output[0]);
        Assert.Empty(folded.Sources[weight]);
        Assert.Equal(2, PrunableWeights.Find(folded.Model, new PruningOptions()).Count);
    }

    [Fact]
    public void NodesThatWouldGrowTheModel_AreNotFolded()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 64L);
        var grown = b.Node("Expand", [b.Initializer("row", Floats(64, 1), 1, 64), b.Initializer("shape", new long[] { 64, 64 }, 2)]);
        var tiled = b.Node("Tile", [b.Initializer("col", Floats(8, 2), 8, 1), b.Initializer("repeats", new long[] { 1, 8 }, 2)]);
        var filled = b.Node("ConstantOfShape", [b.Initializer("size", new long[] { 8 }, 1)], ("value", ModelBuilder.Tensor("one", [1f], 1)));
        var h = b.Node("MatMul", [b.Node("MatMul", [x, grown]), b.Node("Reshape", [tiled, b.Initializer("to", new long[] { 64, 1 }, 2)])]);
        b.Output(b.Node("Add", [h, b.Node("Slice", [filled, b.Initializer("s0", new long[] { 0 }, 1), b.Initializer("s1", new long[] { 1 }, 1)])]));
        var model = b.Build();
        var folded = FoldAndCheckParity(model, CaseTensor.Random("x", 2, -1, 1, 3, 64));

        Assert.Equal(0, folded.FoldedNodes);
        Assert.Equal(model.Graph.Node.Select(n => n.OpType), folded.Model.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void InitializersListedAsInputs_AreFolded_AndTheirInputEntryGoesWithThem()
    {
        var model = GruAsExported();
        foreach (var t in model.Graph.Initializer.Where(t => t.Name.StartsWith("rnn.", StringComparison.Ordinal)).ToList())
        {
            model.Graph.Input.Add(ModelBuilder.ValueInfo(t.Name, DataType.Float, t.Dims.Cast<object>().ToArray()));
        }

        var folded = FoldAndCheckParity(model, GruInput);
        Assert.Equal(["input"], folded.Model.Graph.Input.Select(i => i.Name));
    }

    [Fact]
    public void GraphOutputs_AndRandomOrUnsupportedNodes_AreNotFolded()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var exposed = b.Node("Transpose", [b.Initializer("w", Floats(16, 1), 4, 4)], ("perm", new long[] { 1, 0 }));
        b.Output(b.Node("MatMul", [x, exposed]));
        b.Output(exposed);
        var model = b.Build();
        model.Graph.Node.Add(new NodeProto { OpType = "RandomNormal", Output = { "noise" }, Attribute = { ModelBuilder.Attribute("shape", new long[] { 4 }) } });
        var folded = ConstantFolding.Fold(model);

        Assert.Equal(0, folded.FoldedNodes);
        Assert.Equal(["Transpose", "MatMul", "RandomNormal"], folded.Model.Graph.Node.Select(n => n.OpType));
        Assert.Empty(folded.Model.MetadataProps);
    }

    [Fact]
    public void FoldingTwice_ChangesNothing_AndKeepsTheFirstProvenance()
    {
        var once = ConstantFolding.Fold(GruAsExported());
        var twice = ConstantFolding.Fold(once.Model);

        Assert.Equal(0, twice.FoldedNodes);
        Assert.Equal(once.Model.Graph.Initializer.Select(t => t.Name), twice.Model.Graph.Initializer.Select(t => t.Name));
        Assert.Equal(ConstantFolding.Provenance(once.Model).OrderBy(p => p.Key), ConstantFolding.Provenance(twice.Model).OrderBy(p => p.Key));
    }
}
