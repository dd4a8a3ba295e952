using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Onnx;

/// <summary>The graph rules <see cref="GraphStructure"/> checks for <c>OnnxModelIO.Load</c> and orders by for the executor.</summary>
public sealed class GraphStructureTests
{
    /// <summary>x → Relu(a) → Neg(b) → y, plus an initializer c added to b.</summary>
    private static GraphProto Chain()
    {
        var g = new GraphProto { Name = "g" };
        g.Input.Add(ModelBuilder.ValueInfo("x", DataType.Float, 2L));
        g.Initializer.Add(ModelBuilder.Tensor("c", [1f, 2f], 2));
        g.Node.Add(Node("relu", "Relu", ["x"], ["a"]));
        g.Node.Add(Node("neg", "Neg", ["a"], ["b"]));
        g.Node.Add(Node("add", "Add", ["b", "c"], ["y"]));
        g.Output.Add(ModelBuilder.ValueInfo("y", DataType.Float, 2L));
        return g;
    }

    private static NodeProto Node(string name, string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    private static List<string> Messages(GraphProto g) =>
        GraphStructure.Check(g, "m.onnx").Select(d => $"{d.Code} [{d.Node}] {d.Message}").ToList();

    [Fact]
    public void WellFormedGraph_HasNoProblems_AndOrdersProducersFirst()
    {
        var g = Chain();
        // File order reversed: the order must still put relu before neg before add.
        var nodes = g.Node.Reverse().ToList();
        g.Node.Clear();
        g.Node.Add(nodes);

        Assert.Empty(Messages(g));
        var order = GraphStructure.Order(g, outer: null, "m.onnx");
        Assert.Equal(["relu", "neg", "add"], order.Value!.Select(i => g.Node[i].Name));
    }

    [Fact]
    public void EveryDefect_IsReportedAtOnce_NamingNodeAndFile()
    {
        var g = Chain();
        g.Node[1].Input[0] = "ghost";                                  // undefined input
        g.Node.Add(Node("dup", "Relu", ["x"], ["a"]));                 // second producer of a
        g.Node.Add(Node("shadow", "Relu", ["x"], ["c"]));              // a node output named like an initializer
        g.Initializer.Add(ModelBuilder.Tensor("c", [3f, 4f], 2));      // initializer defined twice
        g.Output.Add(ModelBuilder.ValueInfo("z", DataType.Float, 2L)); // output nobody produces

        var problems = GraphStructure.Check(g, "m.onnx");

        Assert.All(problems, d => Assert.Equal((ModelMessages.BrokenGraphCode, "m.onnx"), (d.Code, d.File)));
        Assert.Equal(
            [
                "[c] initializer 'c' is defined more than once",
                "[dup] value 'a' is produced by more than one node ('relu' too)",
                "[shadow] value 'c' is produced by a node and is also a graph input or initializer",
                "[neg] input 'ghost' is not produced by any node, graph input or initializer",
                "[z] graph output 'z' is not produced by any node, graph input or initializer",
            ],
            problems.Select(d => $"[{d.Node}] {d.Message}"));
    }

    [Fact]
    public void Cycle_NamesTheNodesThatWaitOnEachOther()
    {
        var g = Chain();
        g.Node[0].Input[0] = "b"; // relu reads neg's output, neg reads relu's

        var problems = Messages(g);

        Assert.Equal(["CMP2103 [relu] the graph has a cycle: nodes 'relu', 'neg', 'add' wait on each other"], problems);
        Assert.True(GraphStructure.Order(g, outer: null, null).Failed);
    }

    [Fact]
    public void Subgraph_MaySeeOuterValues_ButNotUndefinedOnes()
    {
        var g = Chain();
        var then = new GraphProto { Name = "then" };
        then.Node.Add(Node("inner", "Identity", ["a"], ["t"])); // 'a' comes from the outer graph
        then.Output.Add(ModelBuilder.ValueInfo("t", DataType.Float, 2L));
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(Node("inner2", "Identity", ["nowhere"], ["e"]));
        otherwise.Output.Add(ModelBuilder.ValueInfo("e", DataType.Float, 2L));
        g.Initializer.Add(ModelBuilder.Tensor("cond", [1f], 1));
        var branch = Node("if", "If", ["cond"], ["r"]);
        branch.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        branch.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        g.Node.Add(branch);

        Assert.Equal(["CMP2103 [inner2] input 'nowhere' is not produced by any node, graph input or initializer"], Messages(g));
    }

    [Fact]
    public void Load_RejectsABrokenGraph_WithTheFile()
    {
        var b = new ModelBuilder();
        var x = b.Input("x", DataType.Float, 2L);
        b.Output(b.Node("Relu", [x]));
        var model = b.Build();
        model.Graph.Node[0].Input[0] = "missing";

        var e = Assert.Throws<CompressException>(() => OnnxModelIO.Load(Google.Protobuf.MessageExtensions.ToByteArray(model), "bad.onnx"));

        var d = Assert.Single(e.Diagnostics);
        Assert.Equal((ModelMessages.BrokenGraphCode, "bad.onnx"), (d.Code, d.File));
    }
}
