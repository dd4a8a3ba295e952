using Compress.Graph;

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

    [Fact]
    public void EveryRegisteredOperator_HasAParityCase()
    {
        var covered = OperatorCases.All.Values.SelectMany(c => c.OpTypes).ToHashSet(StringComparer.Ordinal);
        var missing = OperatorRegistry.Default.All.Select(r => r.OpType).Distinct().Where(op => !covered.Contains(op)).ToList();
        Assert.True(missing.Count == 0, "operators without a parity case: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryOperatorClass_IsRegistered()
    {
        var registered = OperatorRegistry.Default.All.Select(r => r.ImplementationType).ToHashSet();
        var classes = typeof(OnnxOperator).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(OnnxOperator)) && !t.IsAbstract);
        var unregistered = classes.Where(c => !registered.Contains(c)).Select(c => c.Name).ToList();
        Assert.True(unregistered.Count == 0, "operator classes without [OnnxOperator]: " + string.Join(", ", unregistered));
    }
}
