using static TorchSharp.torch;

namespace Compress.Runtime;

/// <summary>
/// Proves that training works on this machine: a two-layer network learns a fixed, seeded regression for a few
/// Adam steps on the CPU. Used by <c>dotnet compress doctor</c> and by the tests.
/// </summary>
public static class TrainingSmokeTest
{
    /// <summary>The loss before the first step and after each step (length <paramref name="steps"/> + 1).</summary>
    public static IReadOnlyList<float> Run(int steps = 20, long seed = 1234)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var x = randn([64, 8], generator: generator);
        var trueWeights = randn([8, 1], generator: generator);
        var y = x.matmul(trueWeights).tanh();

        using var w1 = nn.Parameter(randn([8, 16], generator: generator) * 0.3f);
        using var w2 = nn.Parameter(randn([16, 1], generator: generator) * 0.3f);
        using var optimizer = optim.Adam([w1, w2], lr: 0.05);
        var losses = new List<float>(steps + 1);
        for (var step = 0; step <= steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var prediction = x.matmul(w1).relu().matmul(w2);
            var loss = nn.functional.mse_loss(prediction, y);
            losses.Add(loss.item<float>());
            if (step == steps)
            {
                break;
            }

            loss.backward();
            optimizer.step();
        }

        return losses;
    }
}
