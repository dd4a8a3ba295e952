using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Google.Protobuf;

namespace Compress.Core.Tests.Architectures;

public sealed class DsCnnTests
{
    [Fact]
    public void DsCnn_RunsInOnnxRuntimeWithTheDeclaredShapes()
    {
        var model = new DsCnn(Classes: 12).Build();
        var outputs = OrtRunner.Run(model, [CaseTensor.Random(DsCnn.InputName, 1, -3, 3, 2, 1, 49, 40)]);
        Assert.Equal([2L, 12L], outputs[DsCnn.OutputName].Shape);
        Assert.All((float[])outputs[DsCnn.OutputName].Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void DsCnn_IsDeterministicForASeedAndDiffersAcrossSeeds()
    {
        Assert.Equal(new DsCnn(12, Seed: 3).Build().ToByteArray(), new DsCnn(12, Seed: 3).Build().ToByteArray());
        Assert.NotEqual(new DsCnn(12, Seed: 3).Build().ToByteArray(), new DsCnn(12, Seed: 4).Build().ToByteArray());
    }

    [Fact]
    public void DsCnn_HasTheHelloEdgeParameterBudget()
    {
        var model = new DsCnn(12).Build();
        var parameters = model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
        // conv1 64·10·4 + 4·(64·9 + 64·64) + fc 12·64 + biases and BN: about 23k parameters, ~92 KB of float32.
        Assert.InRange(parameters, 22_000, 25_000);
        Assert.Equal(["conv1.weight", "conv1.bn.weight"], model.Graph.Initializer.Take(2).Select(t => t.Name));
    }
}
