using Compress.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Training;

/// <summary><see cref="ScalarSafeOptimizer"/> takes the steps torch.optim takes (TorchSharp's implementation as the reference).</summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class ScalarSafeOptimizerTests
{
    public ScalarSafeOptimizerTests() => Compress.Runtime.TorchRuntime.Initialize();

    public static TheoryData<OptimizerKind, double, bool, double> Cases => new()
    {
        { OptimizerKind.Sgd, 0, false, 0 },
        { OptimizerKind.Sgd, 0.9, false, 1e-3 },
        { OptimizerKind.Sgd, 0.9, true, 1e-2 },
        { OptimizerKind.Adam, 0, false, 0 },
        { OptimizerKind.Adam, 0, false, 1e-2 },
        { OptimizerKind.AdamW, 0, false, 1e-2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwentySteps_MatchTorchSharpsOptimizer(OptimizerKind kind, double momentum, bool nesterov, double weightDecay)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var x = randn([32, 6], generator: generator);
        var y = randn([32, 1], generator: generator);
        var start = new[] { randn([6, 8], generator: generator), randn([8, 1], generator: generator) };
        var ours = start.Select(t => new Parameter(t.clone())).ToList();
        var theirs = start.Select(t => new Parameter(t.clone())).ToList();
        using var optimizer = new ScalarSafeOptimizer(kind, ours, 0.05, momentum, nesterov, weightDecay);
        using var reference = kind switch
        {
            OptimizerKind.Sgd => (optim.Optimizer)optim.SGD(theirs, 0.05, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov),
            OptimizerKind.Adam => optim.Adam(theirs, 0.05, weight_decay: weightDecay),
            OptimizerKind.AdamW => optim.AdamW(theirs, 0.05, weight_decay: weightDecay),
        };

        for (var step = 0; step < 20; step++)
        {
            optimizer.ZeroGrad();
            Loss(ours).backward();
            optimizer.Step();
            reference.zero_grad();
            Loss(theirs).backward();
            reference.step();
        }

        for (var i = 0; i < ours.Count; i++)
        {
            var difference = (ours[i] - theirs[i]).abs().max().item<float>();
            Assert.True(difference < 1e-5, $"parameter {i} differs by {difference}");
            Assert.True((ours[i] - start[i]).abs().max().item<float>() > 1e-2, "the parameters did not move: the comparison is empty");
        }

        Tensor Loss(IReadOnlyList<Parameter> p) => nn.functional.mse_loss(x.matmul(p[0]).tanh().matmul(p[1]), y);
    }

    [Fact]
    public void AParameterWithoutAGradient_IsLeftAlone()
    {
        using var scope = NewDisposeScope();
        var used = new Parameter(ones(3));
        var unused = new Parameter(ones(3));
        using var optimizer = new ScalarSafeOptimizer(OptimizerKind.Adam, [used, unused], 0.1);

        (used * used).sum().backward();
        optimizer.Step();

        Assert.Equal([1f, 1f, 1f], unused.data<float>().ToArray());
        Assert.All(used.data<float>().ToArray(), v => Assert.InRange(v, 0.89f, 0.91f));
    }
}
