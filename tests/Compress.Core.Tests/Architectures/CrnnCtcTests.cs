using Compress.Architectures;
using Compress.Core.Tests.Graph;
using Compress.Core.Tests.Training;
using Compress.Evaluation;
using Compress.Graph;
using Compress.Runtime;
using Google.Protobuf;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Architectures;

/// <summary>
/// <see cref="CrnnCtc"/> (<c>new-model crnn-ctc</c>): ONNX Runtime runs it with the declared shapes, the executor
/// matches ONNX Runtime, every output frame is a log-probability distribution over the vocabulary, the build is
/// deterministic for a seed, and a few steps of gradient descent through the executor lower a CTC loss.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class CrnnCtcTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(149, false)]
    [InlineData(148, true)]
    public void CrnnCtc_RunsInOnnxRuntime_AndTheExecutorMatchesIt_WithCeilHalfFramesOfLogProbabilities(int frames, bool bidirectional)
    {
        TorchRuntime.Initialize();
        var architecture = new CrnnCtc(Vocab: 29, Frames: frames, Bins: 40, Channels: 64, Hidden: 96, Bidirectional: bidirectional);
        var model = architecture.Build();
        var input = CaseTensor.Random(CrnnCtc.InputName, 1, -3, 3, 2, 1, frames, 40);

        var ort = OrtRunner.Run(model, [input]);
        var logProbs = ort[CrnnCtc.OutputName];
        var steps = (frames + 1) / 2;
        Assert.Equal(steps, architecture.OutputFrames);
        Assert.Equal([2L, steps, 29L], logProbs.Shape);
        var declared = model.Graph.Output.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", CrnnCtc.OutputTimeAxis, "29"], declared.Select(d => d.DimParam is { Length: > 0 } p ? p : $"{d.DimValue}"));
        Assert.Equal(CrnnCtc.TimeAxis, model.Graph.Input.Single().Type.TensorType.Shape.Dim[2].DimParam);

        // Every frame's exp(log-probabilities) sums to 1.
        var values = (float[])logProbs.Data;
        for (var row = 0; row < values.Length / 29; row++)
        {
            var sum = values.Skip(row * 29).Take(29).Sum(v => Math.Exp(v));
            Assert.True(Math.Abs(sum - 1) < 1e-4, $"frame {row}: exp sums to {sum}");
        }

        ParityAssert.Equal(ort, ExecutorRunner.Run(model, [input]), Tolerance.Parity);
    }

    [Fact]
    public void CrnnCtc_IsDeterministicForASeedAndDiffersAcrossSeeds()
    {
        Assert.Equal(new CrnnCtc(Seed: 3).Build().ToByteArray(), new CrnnCtc(Seed: 3).Build().ToByteArray());
        Assert.NotEqual(new CrnnCtc(Seed: 3).Build().ToByteArray(), new CrnnCtc(Seed: 4).Build().ToByteArray());
    }

    [Fact]
    public void CrnnCtc_HasTheDeclaredLayers()
    {
        var model = new CrnnCtc(Vocab: 29, Frames: 149, Bins: 40, Channels: 64, Hidden: 96, Bidirectional: true).Build();
        var shapes = model.Graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray());
        Assert.Equal([64L, 1, 5, 40], shapes["conv1.weight"]);
        Assert.Equal([2L, 288, 64], shapes["gru.W"]);
        Assert.Equal([2L, 288, 96], shapes["gru.R"]);
        Assert.Equal([2L, 576], shapes["gru.B"]);
        Assert.Equal([192L, 29], shapes["fc.weight"]);
        Assert.Equal(["Conv", "BatchNormalization", "Relu", "Squeeze", "Transpose", "GRU", "Transpose", "Reshape", "Transpose", "MatMul", "Add", "LogSoftmax"], model.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Conv", "BatchNormalization", "Relu", "Squeeze", "Transpose", "GRU", "Squeeze", "Transpose", "MatMul", "Add", "LogSoftmax"], new CrnnCtc().Build().Graph.Node.Select(n => n.OpType));
    }

    /// <summary>
    /// Training smoke: 25 Adam steps through the executor (train mode: BatchNorm on batch statistics) on one batch of
    /// random features with random transcripts lower torch's CTC loss (blank 0) on that batch well below its start.
    /// </summary>
    [Fact]
    public void CrnnCtc_GradientStepsThroughTheExecutor_LowerTheCtcLoss()
    {
        TorchRuntime.Initialize();
        const int Batch = 8, Frames = 49, Vocab = 29, Label = 6;
        var model = new CrnnCtc(Vocab: Vocab, Frames: Frames, Bins: 40, Channels: 32, Hidden: 32, Seed: 2).Build();
        var random = new Random(5);
        using var module = OnnxGraphModule.Create(model);
        module.train();
        using var features = tensor(Enumerable.Range(0, Batch * Frames * 40).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray(), [Batch, 1, Frames, 40]);
        using var targets = tensor(Enumerable.Range(0, Batch * Label).Select(_ => (long)random.Next(1, Vocab)).ToArray(), [Batch, Label]);
        using var inputLengths = full([Batch], (Frames + 1) / 2, ScalarType.Int64);
        using var targetLengths = full([Batch], Label, ScalarType.Int64);
        using var optimizer = optim.Adam(module.OnnxParameters.Values, lr: 3e-3);

        var losses = new List<double>();
        for (var step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var logProbs = module.Forward(features);                           // [N, T', vocab]
            var loss = nn.functional.ctc_loss(logProbs.transpose(0, 1), targets, inputLengths, targetLengths);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        output.WriteLine($"CTC loss {string.Join(" ", losses.Select(l => l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.TakeLast(3).Average() < 0.8 * losses.Take(3).Average(), $"CTC loss {losses.Take(3).Average()} in the first steps, {losses.TakeLast(3).Average()} in the last");
    }
}
