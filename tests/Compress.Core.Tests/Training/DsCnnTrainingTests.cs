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
    /// Trains the sample-sized DS-CNN (64 channels, 4 blocks) from random weights for one epoch on a task it can learn:
    /// the training loss falls from the first steps to the last, and on held-out data the cross-entropy falls and
    /// the accuracy rises well above where the untrained network stands (one epoch measured 1.40 -> 1.27 training
    /// loss, 1.41 -> 1.28 validation loss, accuracy 0.25 -> 0.59; the bars leave room for other CPUs' rounding).
    /// The machine is shared, so throughput is reported, not asserted; docs/pruning.md records the measured samples/s.
    /// </summary>
    [Fact]
    public void DsCnn_TrainingFromRandomWeights_LowersTheLossAndRaisesAccuracy()
    {
        var model = new DsCnn(Classes: 4).Build();
        var train = KeywordLike(512, 4, 1);
        var validation = KeywordLike(64, 4, 2);
        var stepLosses = new StepLosses();
        var before = Measure(model, validation);

        var result = new CompressionEngine().Run(model, train, validation, new PruningOptions(), new FineTuneOptions(Epochs: 1, BatchSize: 32, LearningRate: 3e-3, Threads: 2), stepLosses);
        var after = Measure(result.Model, validation);

        output.WriteLine($"DS-CNN training throughput: {result.SamplesPerSecond:0} samples/s (2000 items would take {2000 / result.SamplesPerSecond:0.0} s per epoch)");
        output.WriteLine($"validation accuracy {before.Accuracy:0.000} -> {after.Accuracy:0.000}, loss {before.Loss:0.000} -> {after.Loss:0.000}; training loss first 4 steps {stepLosses.Mean(..4):0.000}, last 4 {stepLosses.Mean(^4..):0.000}");
        Assert.Equal(16, stepLosses.Count);
        Assert.True(stepLosses.Mean(^4..) < stepLosses.Mean(..4) - 0.05, $"training loss {stepLosses.Mean(..4)} in the first steps, {stepLosses.Mean(^4..)} in the last");
        Assert.True(after.Loss < before.Loss - 0.05, $"validation loss {before.Loss} before, {after.Loss} after");
        Assert.True(after.Accuracy > 0.5 && after.Accuracy >= before.Accuracy + 0.2, $"validation accuracy {before.Accuracy} before, {after.Accuracy} after (chance 0.25)");
        Assert.Equal(after.Accuracy, result.ValidationAccuracy, 6);
    }

    /// <summary>Accuracy and mean cross-entropy of a model on data, measured apart from the training run.</summary>
    private static (double Accuracy, double Loss) Measure(global::Compress.Onnx.Proto.ModelProto model, ITrainingData data)
    {
        global::Compress.Runtime.TorchRuntime.Initialize();
        using var module = global::Compress.Graph.OnnxGraphModule.Create(model);
        return Evaluator.Evaluate(module, data, 32);
    }

    /// <summary>
    /// Each step's own training loss, recovered from the running mean of the epoch that progress reports
    /// (reported synchronously, unlike <see cref="Progress{T}"/>).
    /// </summary>
    private sealed class StepLosses : IProgress<TrainingProgress>
    {
        private readonly List<double> _losses = [];
        private double _previousMean;

        public int Count => _losses.Count;

        public double Mean(Range range) => _losses.Take(range).Average();

        public void Report(TrainingProgress value)
        {
            if (value.ValidationMetric is not null)
            {
                return; // the end-of-epoch report repeats the last step's mean
            }

            _losses.Add((value.Loss * value.Step) - (_previousMean * (value.Step - 1)));
            _previousMean = value.Loss;
        }
    }
}
