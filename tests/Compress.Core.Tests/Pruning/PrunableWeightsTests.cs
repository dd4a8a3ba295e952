using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pruning;

/// <summary>The one prunable-weight rule: <c>inspect</c> and <c>run</c> agree, and every reason a weight is not prunable is reachable.</summary>
public sealed class PrunableWeightsTests
{
    private static float[] Floats(long count, int seed = 1) => (float[])CaseTensor.Random("w", seed, -1, 1, count).Data;

    public static TheoryData<string> Models => new()
    {
        "shared-weight", "sparse-initializer", "if-subgraph", "loop-subgraph", "constant-node", "every-reason",
        "ds-cnn", "gru-kws", "lstm-kws", "tcn-residual", "self-attention",
    };

    private static ModelProto Model(string name) => name switch
    {
        "shared-weight" => SharedWeight(),
        "sparse-initializer" => SparseInitializer(),
        "if-subgraph" => IfSubgraph(),
        "loop-subgraph" => LoopSubgraph(),
        "constant-node" => ConstantNode(),
        "every-reason" => EveryReason(),
        _ => SpeechModels.Get(name).Model,
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Inspect_ListsTheSamePrunableWeightsAsRun(string name)
    {
        var text = ModelInspector.Describe(Model(name), null);
        var section = text[text.IndexOf("Prunable weights (", StringComparison.Ordinal)..text.IndexOf("Not prunable weight operands (", StringComparison.Ordinal)];
        var inspected = section.Split('\n').Skip(1).Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Trim() != "none").Select(l => l.Trim().Split("  ")[0]).ToList();

        // run and validate prepare the model the same way inspect does (constant sub-graphs folded).
        var model = PrunableWeights.Prepare(Model(name));
        var run = PrunableWeights.Find(model, new PruningOptions(PruningMethod.Magnitude, ProtectFirstAndLast: false));
        Assert.NotEmpty(run);
        Assert.Equal(run.Select(t => t.DisplayName), inspected);
        Assert.All(run, t => Assert.Equal(PrunableStatus.Eligible, t.Status));
        // What run prunes is what validate counts: the message of an everything-excluded run names the same number.
        var none = Assert.Single(PruningValidator.Validate(model, new PruningOptions(PruningMethod.Magnitude, Exclude: ["*"])));
        Assert.Contains($"the model has {run.Count} prunable weight tensors", none.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ds-cnn")]
    [InlineData("gru-kws")]
    [InlineData("lstm-kws")]
    [InlineData("self-attention")]
    [InlineData("shared-weight")]
    public void EveryPrunableWeight_IsATrainableParameterOfTheExecutor(string name)
    {
        var model = Model(name);
        using var module = Compress.Graph.OnnxGraphModule.Create(model);
        Assert.All(PrunableWeights.Find(model, new PruningOptions()), t => Assert.Contains(t.Name, module.OnnxParameters.Keys));
    }

    [Fact]
    public void EveryReason_IsGivenForItsCase()
    {
        var operands = PrunableWeights.Operands(EveryReason());
        string Of(PrunableReason reason) => string.Join(",", operands.Where(o => o.Reason == reason).Select(o => $"{o.Value}@{o.Node}[{o.InputIndex}]"));

        Assert.Equal("fc.w@dense[1],fc.w@dense_again[1]", Of(PrunableReason.Prunable));
        Assert.Equal("hidden@activations[1]", Of(PrunableReason.Computed));
        Assert.Equal("fed.w@fed[1]", Of(PrunableReason.GraphInput));
        Assert.Equal("const.w@from_constant[1]", Of(PrunableReason.ConstantNode));
        Assert.Equal("int.w@integer[1]", Of(PrunableReason.NotFloat));
        Assert.Equal("sparse.w@sparse[1]", Of(PrunableReason.SparseInitializer));
        Assert.Equal("branch.w@inner[1],fc.w@outer_use[1]", Of(PrunableReason.InSubgraph));
        Assert.Equal(operands.Count, Enum.GetValues<PrunableReason>().Sum(r => operands.Count(o => o.Reason == r)));
        Assert.All(Enum.GetValues<PrunableReason>(), r => Assert.NotEqual("", Of(r)));
    }

    [Fact]
    public void EveryReason_HasItsOwnPhrase()
    {
        var phrases = Enum.GetValues<PrunableReason>().Select(PrunableWeights.Explain).ToList();
        Assert.Equal(phrases.Count, phrases.Distinct(StringComparer.Ordinal).Count());
        Assert.All(phrases, p => Assert.False(string.IsNullOrWhiteSpace(p)));
    }

    [Fact]
    public void Operands_SaySource_SharingAndSubgraph()
    {
        var operands = PrunableWeights.Operands(EveryReason()).ToDictionary(o => $"{o.Value}@{o.Node}");
        Assert.Equal(OperandSource.Initializer, operands["fc.w@dense"].Source);
        Assert.Equal(OperandSource.SparseInitializer, operands["sparse.w@sparse"].Source);
        Assert.Equal(OperandSource.ConstantNode, operands["const.w@from_constant"].Source);
        Assert.Equal(OperandSource.GraphInput, operands["fed.w@fed"].Source);
        Assert.Equal(OperandSource.Computed, operands["hidden@activations"].Source);
        Assert.Equal(OperandSource.Initializer, operands["branch.w@inner"].Source);

        // fc.w: two Gemms in the main graph and one MatMul in the else branch read it.
        Assert.Equal(3, operands["fc.w@dense"].Consumers);
        Assert.True(operands["fc.w@outer_use"].IsShared);
        Assert.False(operands["sparse.w@sparse"].IsShared);
        Assert.True(operands["branch.w@inner"].InSubgraph);
        Assert.False(operands["fc.w@dense"].InSubgraph);
        Assert.Equal([4L, 4], operands["const.w@from_constant"].Shape);
        Assert.Null(operands["fed.w@fed"].Shape);
    }

    [Fact]
    public void SharedWeight_IsOneTensor_WithEveryUse_AndTheFirstUseDecidesProtection()
    {
        var found = PrunableWeights.Find(SharedWeight(), new PruningOptions());
        Assert.Equal(["conv.w", "tied.w", "head.w"], found.Select(t => t.Name));
        var tied = found[1];
        Assert.Equal(("Gemm_3", PrunableStatus.Eligible), (tied.Node, tied.Status));
        Assert.Equal(["Gemm_3", "Gemm_5"], tied.Uses.Select(u => u.Node));
        // conv.w holds 60% of the prunable weights, too much to protect; head.w (13%) is protected.
        Assert.Equal([PrunableStatus.Eligible, PrunableStatus.Eligible, PrunableStatus.Protected], found.Select(t => t.Status));
        Assert.Contains("60.0% of the prunable weights", found[0].StatusReason, StringComparison.Ordinal);
        Assert.Equal("the last prunable tensor, 13.3% of the prunable weights (protect_first_last protects it at most 20%)", found[2].StatusReason);
    }

    [Fact]
    public void SampleDsCnn_KeepsItsProtectedSet_FirstConvAndClassifier()
    {
        // samples/AppWithModel: DS-CNN, 64 channels, 4 blocks, 12 classes, with the sample's exclude.
        var model = new Compress.Architectures.DsCnn(Classes: 12).Build();
        var found = PrunableWeights.Find(PrunableWeights.Prepare(model), new PruningOptions(PruningMethod.Gradient, Exclude: ["*.dw.weight"]));

        Assert.Equal(["conv1.weight", "fc.weight"], found.Where(t => t.Status == PrunableStatus.Protected).Select(t => t.Name));
        Assert.Equal("the first prunable tensor, 11.6% of the prunable weights (protect_first_last protects it at most 20%)", found[0].StatusReason);
        Assert.Equal((4, 4), (found.Count(t => t.Status == PrunableStatus.Excluded), found.Count(t => t.Status == PrunableStatus.Eligible)));
    }

    [Fact]
    public void OneLayerModel_IsNotProtected_AndABiLstmKeepsOnlyItsClassifier()
    {
        var mlp = new ModelBuilder(17);
        mlp.Output(mlp.Node("Gemm", [mlp.Input("x", DataType.Float, "N", 8L), mlp.Initializer("only.w", Floats(32), 4, 8)], ("transB", 1L)));
        var only = Assert.Single(PrunableWeights.Find(mlp.Build(), new PruningOptions()));
        Assert.Equal(PrunableStatus.Eligible, only.Status);
        Assert.Contains("100.0% of the prunable weights", only.StatusReason, StringComparison.Ordinal);

        // A one-layer BiLSTM (H 64 over 40 features) + classifier: W 37%, R 60%, fc 2.9%.
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, 49L, "N", 40L);
        var y = b.Node("LSTM", [x, b.Initializer("W", Floats(2 * 256 * 40), 2, 256, 40), b.Initializer("R", Floats(2 * 256 * 64), 2, 256, 64)], 3, "", ("hidden_size", 64L), ("direction", "bidirectional"));
        var h = b.Node("Reshape", [b.Node("Transpose", [y[1]], ("perm", new long[] { 1, 0, 2 })), b.Initializer("shape", new long[] { 0, -1 }, 2)]);
        b.Output(b.Node("Gemm", [h, b.Initializer("fc", Floats(12 * 128), 12, 128)], ("transB", 1L)));
        var found = PrunableWeights.Find(b.Build(), new PruningOptions());
        Assert.Equal([PrunableStatus.Eligible, PrunableStatus.Eligible, PrunableStatus.Protected], found.Select(t => t.Status));
    }

    [Fact]
    public void IfAndLoopBodies_AreFollowed_ButTheirWeightsAreNotPrunable()
    {
        foreach (var model in new[] { IfSubgraph(), LoopSubgraph() })
        {
            var excluded = PrunableWeights.NotPrunable(model);
            var local = Assert.Single(excluded);
            Assert.Equal(("body.w", PrunableReason.InSubgraph, true), (local.Value, local.Reason, local.InSubgraph));
            Assert.Equal(["main.w"], PrunableWeights.Find(model, new PruningOptions()).Select(t => t.Name));
        }
    }

    [Fact]
    public void Inspect_ShowsWhyAWeightIsNotPrunable()
    {
        // inspect folds the Constant node: its 4×4 value becomes a prunable initializer.
        var text = ModelInspector.Describe(EveryReason(), null);
        Assert.Contains("Not prunable weight operands (5):\n", text, StringComparison.Ordinal);
        Assert.Contains($"  sparse.w  MatMul sparse input 1  [4, 4]  16 elements  sparsity 0.750  not prunable: {PrunableWeights.Explain(PrunableReason.SparseInitializer)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"  fed.w  MatMul fed input 1  not prunable: {PrunableWeights.Explain(PrunableReason.GraphInput)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"  branch.w  MatMul inner input 1  [4, 4]  16 elements  sparsity 0.000  not prunable: {PrunableWeights.Explain(PrunableReason.InSubgraph)}\n", text, StringComparison.Ordinal);
        Assert.Contains("Prunable weights (2, 32 elements):\n  fc.w  Gemm dense, Gemm dense_again, MatMul outer_use  [4, 4]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPrunableWeightsMessage_NamesEveryOperatorOfTheRule()
    {
        var message = TrainingMessages.NoPrunableWeights("magnitude", 0, 0, 0).Message;
        Assert.All(PrunableWeights.Operators, op => Assert.Contains(op, message, StringComparison.Ordinal));
    }

    /// <summary>x → Conv(conv.w) → Flatten → Gemm(tied.w) → Gemm(tied.w) → Gemm(head.w): a weight tied across two layers.</summary>
    private static ModelProto SharedWeight()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 1L, 4L, 4L);
        var conv = b.Node("Conv", [x, b.Initializer("conv.w", Floats(4 * 9), 4, 1, 3, 3), b.Initializer("conv.b", Floats(4), 4)], ("pads", new long[] { 1, 1, 1, 1 }));
        var flat = b.Node("Flatten", [b.Node("GlobalAveragePool", [conv])]);
        var tied = b.Node("Gemm", [flat, b.Initializer("tied.w", Floats(16), 4, 4)], ("transB", 1L));
        var again = b.Node("Gemm", [b.Node("Relu", [tied]), "tied.w"], ("transB", 1L));
        b.Output(b.Node("Gemm", [again, b.Initializer("head.w", Floats(8), 2, 4)], ("transB", 1L)));
        return b.Build();
    }

    /// <summary>A dense Gemm and a MatMul whose weight is stored in sparse_initializer (as Compress exports it).</summary>
    private static ModelProto SparseInitializer()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var dense = b.Node("Gemm", [x, b.Initializer("dense.w", Floats(16), 4, 4)], ("transB", 1L));
        b.Output(b.Node("MatMul", [dense, "sparse.w"]));
        var model = b.Build();
        model.Graph.SparseInitializer.Add(Sparse("sparse.w"));
        return model;
    }

    /// <summary>main.w in the main graph; If branches read body.w (their own initializer) and main.w (outer scope).</summary>
    private static ModelProto IfSubgraph()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var h = b.Node("MatMul", [x, b.Initializer("main.w", Floats(16), 4, 4)]);
        var then = new GraphProto { Name = "then" };
        then.Node.Add(new NodeProto { OpType = "MatMul", Name = "inner", Input = { h, "body.w" }, Output = { "t" } });
        then.Initializer.Add(ModelBuilder.Tensor("body.w", Floats(16, 2), 4, 4));
        then.Output.Add(ModelBuilder.ValueInfo("t", DataType.Float, "N", 4L));
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(new NodeProto { OpType = "MatMul", Name = "outer_use", Input = { h, "main.w" }, Output = { "e" } });
        otherwise.Output.Add(ModelBuilder.ValueInfo("e", DataType.Float, "N", 4L));
        b.Output(b.Node("If", [b.Input("cond", DataType.Bool)], ("then_branch", then), ("else_branch", otherwise)));
        return b.Build();
    }

    /// <summary>A Loop whose body multiplies the carried state by its own initializer body.w; main.w outside the loop.</summary>
    private static ModelProto LoopSubgraph()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, 1L, 4L);
        var h = b.Node("MatMul", [x, b.Initializer("main.w", Floats(16), 4, 4)]);
        var body = new GraphProto { Name = "body" };
        body.Input.Add(ModelBuilder.ValueInfo("i", DataType.Int64));
        body.Input.Add(ModelBuilder.ValueInfo("cond_in", DataType.Bool));
        body.Input.Add(ModelBuilder.ValueInfo("state", DataType.Float, 1L, 4L));
        body.Node.Add(new NodeProto { OpType = "Identity", Name = "keep_going", Input = { "cond_in" }, Output = { "cond_out" } });
        body.Node.Add(new NodeProto { OpType = "MatMul", Name = "step", Input = { "state", "body.w" }, Output = { "next" } });
        body.Initializer.Add(ModelBuilder.Tensor("body.w", Floats(16, 3), 4, 4));
        body.Output.Add(ModelBuilder.ValueInfo("cond_out", DataType.Bool));
        body.Output.Add(ModelBuilder.ValueInfo("next", DataType.Float, 1L, 4L));
        var trips = b.Initializer("trips", new long[] { 3 });
        b.Output(b.Node("Loop", [trips, "", h], ("body", body)));
        return b.Build();
    }

    /// <summary>MatMul(x, Constant) next to a MatMul(x, initializer): only the initializer is a prunable weight.</summary>
    private static ModelProto ConstantNode()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var constant = b.Node("Constant", [], ("value", ModelBuilder.Tensor("const.value", Floats(16, 4), 4, 4)));
        var folded = b.Node("MatMul", [x, constant]);
        b.Output(b.Node("MatMul", [folded, b.Initializer("real.w", Floats(16), 4, 4)]));
        return b.Build();
    }

    /// <summary>One weight operand for every <see cref="PrunableReason"/> (not meant to run).</summary>
    private static ModelProto EveryReason()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var fed = b.Input("fed.w", DataType.Float, 4L, 4L);
        var dense = b.Node("Gemm", [x, b.Initializer("fc.w", Floats(16), 4, 4)], ("transB", 1L));
        var again = b.Node("Gemm", [dense, "fc.w"], ("transB", 1L));
        var activations = b.Node("MatMul", [x, again]);
        var fromFed = b.Node("MatMul", [activations, fed]);
        var constant = b.Node("Constant", [], ("value", ModelBuilder.Tensor("v", Floats(16, 5), 4, 4)));
        var fromConstant = b.Node("MatMul", [fromFed, constant]);
        var integer = b.Node("MatMul", [b.Node("Cast", [fromConstant], ("to", (long)DataType.Int64)), b.Initializer("int.w", Enumerable.Range(0, 16).Select(i => (long)i).ToArray(), 4, 4)]);
        var sparse = b.Node("MatMul", [fromConstant, "sparse.w"]);
        var then = new GraphProto { Name = "then" };
        then.Node.Add(new NodeProto { OpType = "MatMul", Name = "inner", Input = { sparse, "branch.w" }, Output = { "t" } });
        then.Initializer.Add(ModelBuilder.Tensor("branch.w", Floats(16, 6), 4, 4));
        then.Output.Add(ModelBuilder.ValueInfo("t", DataType.Float, "N", 4L));
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(new NodeProto { OpType = "MatMul", Name = "outer_use", Input = { sparse, "fc.w" }, Output = { "e" } });
        otherwise.Output.Add(ModelBuilder.ValueInfo("e", DataType.Float, "N", 4L));
        b.Output(b.Node("If", [b.Input("cond", DataType.Bool)], ("then_branch", then), ("else_branch", otherwise)));
        b.Output(integer, DataType.Int64);
        var model = b.Build();
        model.Graph.SparseInitializer.Add(Sparse("sparse.w"));
        string[] names = ["dense", "dense_again", "activations", "fed", "constant", "from_constant", "cast", "integer", "sparse"];
        for (var i = 0; i < names.Length; i++)
        {
            model.Graph.Node[i].Name = names[i];
        }

        model.Graph.Node.Single(n => n.OpType == "Constant").Output[0] = "const.w";
        model.Graph.Node.Single(n => n.Name == "from_constant").Input[1] = "const.w";
        model.Graph.Node.Single(n => n.Name == "activations").Input[1] = "hidden";
        model.Graph.Node.Single(n => n.Name == "dense_again").Output[0] = "hidden";
        model.Graph.Node.Single(n => n.Name == "fed").Input[1] = "fed.w";
        return model;
    }

    /// <summary>A [4, 4] float weight with 4 non-zeros, stored as a sparse initializer (linear int64 indices).</summary>
    private static SparseTensorProto Sparse(string name)
    {
        var sparse = new SparseTensorProto
        {
            Values = ModelBuilder.Tensor(name, [0.5f, -0.25f, 1f, 2f], 4),
            Indices = ModelBuilder.Tensor(name + ".indices", new long[] { 0, 5, 10, 15 }, 4),
        };
        sparse.Dims.AddRange([4, 4]);
        return sparse;
    }
}
