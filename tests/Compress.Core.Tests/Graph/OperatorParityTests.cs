using Compress.Graph;
using Compress.Onnx.Proto;

namespace Compress.Core.Tests.Graph;

public sealed class OperatorParityTests
{
    [Theory]
    [MemberData(nameof(OperatorCases.Names), MemberType = typeof(OperatorCases))]
    public void Operator_MatchesOnnxRuntime(string caseName)
    {
        var testCase = OperatorCases.All[caseName];
        var expected = OrtRunner.Run(testCase.Model, testCase.Inputs);
        var actual = ExecutorRunner.Run(testCase.Model, testCase.Inputs);
        ParityAssert.Equal(expected, actual, testCase.Tolerance);
    }

    /// <summary>
    /// Every registered (domain, op type, since-version) is what the registry resolves for at least one node of a
    /// parity case: a version whose semantics the executor implements differently is compared with ONNX Runtime too.
    /// </summary>
    [Fact]
    public void EveryRegisteredOperatorVersion_HasAParityCase()
    {
        var covered = OperatorCases.All.Values.SelectMany(Resolved).ToHashSet();
        var missing = OperatorRegistry.Default.All.Where(r => !covered.Contains(r)).Select(r => r.ToString()).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} registered operator versions without a parity case: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryOperatorClass_IsRegistered()
    {
        var registered = OperatorRegistry.Default.All.Select(r => r.ImplementationType).ToHashSet();
        var classes = typeof(OnnxOperator).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(OnnxOperator)) && !t.IsAbstract);
        var unregistered = classes.Where(c => !registered.Contains(c)).Select(c => c.Name).ToList();
        Assert.True(unregistered.Count == 0, "operator classes without [OnnxOperator]: " + string.Join(", ", unregistered));
    }

    /// <summary>The registrations the nodes of a case (and of its subgraphs) resolve to at the case's opsets.</summary>
    internal static IEnumerable<OperatorRegistration> Resolved(OperatorCase testCase)
    {
        var opsets = testCase.Model.OpsetImport.ToDictionary(i => OperatorRegistry.Normalise(i.Domain), i => i.Version);
        return Nodes(testCase.Model.Graph)
            .Select(n => opsets.TryGetValue(OperatorRegistry.Normalise(n.Domain), out var opset) ? OperatorRegistry.Default.Find(n.Domain, n.OpType, opset) : null)
            .OfType<OperatorRegistration>();
    }

    private static IEnumerable<NodeProto> Nodes(GraphProto graph) =>
        graph.Node.Concat(graph.Node.SelectMany(n => n.Attribute).Where(a => a.G is not null).SelectMany(a => Nodes(a.G)));
}
