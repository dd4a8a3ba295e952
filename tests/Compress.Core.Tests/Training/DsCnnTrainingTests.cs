using Compress.Architectures;
using Compress.Pruning;
using Compress.Training;
using Xunit.Abstractions;

namespace Compress.Core.Tests.Training;

[Collection(TorchThreadsCollection.Name)]
public sealed class DsCnnTrainingTests(ITestOutputHelper output)
{
    /// <summary>Random [1, 49, 40] features with a class signal in a band of mel bins, so a DS-CNN can learn them.</summary>
    public static ArrayTrainingData KeywordLike(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var features = new float[count * 49 * 40];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % classes;
            for (var t = 0; t < 49; t++)
            {
                for (var f = 0; f < 40; f++)
                {
                    var signal = f / (40 / classes) == labels[i] ? 1.5f : 0f;
                    features[(i * 1960) + (t * 40) + f] = signal + (0.8f * TinyModels.Gaussian(random));
                }
            }
        }

        return new ArrayTrainingData(features, [1, 49, 40], labels);
    }

    /// <summary>
    /// Trains the sample-sized DS-CNN (64 channels, 4 blocks) for one epoch and reports throughput. The machine is
    /// shared, so the test asserts learning, not a speed; docs/pruning.md records the measured samples/s.
    /// </summary>
    [Fact]
    public void DsCnn_TrainsFromRandomWeights_AndReportsThroughput()
    {
        var model = new DsCnn(Classes: 4).Build();
        var train = KeywordLike(512, 4, 1);
        var validation = KeywordLike(64, 4, 2);
        var result = new CompressionEngine().Run(model, train, validation, new PruningOptions(), new FineTuneOptions(Epochs: 1, BatchSize: 32, LearningRate: 3e-3, Threads: 2));

        output.WriteLine($"DS-CNN training throughput: {result.SamplesPerSecond:0} samples/s (2000 items would take {2000 / result.SamplesPerSecond:0.0} s per epoch); validation accuracy {result.ValidationAccuracy:0.000}");
        Assert.True(result.SamplesPerSecond > 0);
        Assert.True(result.ValidationAccuracy > 0.5, $"accuracy {result.ValidationAccuracy} (chance 0.25)");
    }
}
