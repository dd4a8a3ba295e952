using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Runtime;
using Compress.Training;
using static TorchSharp.torch;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Training;

[Collection(TorchThreadsCollection.Name)]
public sealed class HeadLossTests
{
    private static readonly float[] W = [0.5f, -0.25f, 1f, 0.1f, -0.7f, 0.3f, 0.2f, -0.4f, 0.9f, 0.05f, -0.15f, 0.6f];
    private static readonly float[] X = [1f, 2f, -1f, 0.5f, -0.3f, 0.8f, 1.5f, -2f];
    private static readonly long[] Labels = [0, 2];

    public HeadLossTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData("Softmax")]
    [InlineData("LogSoftmax")]
    public void Loss_WithAProbabilityHead_HasTheGradientOfCrossEntropyOnThePreSoftmaxLogits(string op)
    {
        // Hand-computed: z = x·Wᵀ, p = softmax(z), dL/dz = (p − onehot)/N, dL/dW = (dL/dz)ᵀ·x.
        var expected = new double[12];
        for (var n = 0; n < 2; n++)
        {
            var z = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 4).Sum(k => (double)W[(c * 4) + k] * X[(n * 4) + k])).ToArray();
            var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
            for (var c = 0; c < 3; c++)
            {
                var dz = ((e[c] / e.Sum()) - (Labels[n] == c ? 1 : 0)) / 2;
                for (var k = 0; k < 4; k++)
                {
                    expected[(c * 4) + k] += dz * X[(n * 4) + k];
                }
            }
        }

        var model = Model(op, 3);
        var head = OutputHead.Detect(model).Value!;
        using var module = OnnxGraphModule.Create(model, head: head);
        using var scope = NewDisposeScope();
        var loss = HeadObjective.Loss(head, HeadObjective.Scores(module, tensor(X, [2, 4])), tensor(Labels), 0);
        loss.backward();
        var gradient = module.OnnxParameters["w"].grad!.data<float>().ToArray();

        Assert.Equal(expected, gradient.Select(g => (double)g), new ToleranceComparer(1e-6));

        // The old behaviour (log_softmax of the shipped probabilities) has a different gradient for Softmax: the test
        // can fail. (log_softmax of log-probabilities is the identity, so LogSoftmax heads were trained right before.)
        if (op != "Softmax")
        {
            return;
        }

        module.OnnxParameters["w"].grad!.zero_();
        Losses.CrossEntropy(module.Forward(tensor(X, [2, 4])), tensor(Labels), 0).backward();
        Assert.NotEqual(expected, module.OnnxParameters["w"].grad!.data<float>().ToArray().Select(g => (double)g), new ToleranceComparer(1e-4));
    }

    [Fact]
    public void BinaryCrossEntropy_SmoothsTargetsTowardOneHalf_AndHasTheSigmoidGradient()
    {
        using var scope = NewDisposeScope();
        double[] z = [2, -1, 0.5];
        double[] y = [1, 0, 0];
        var smoothed = y.Select(t => (0.9 * t) + 0.05).ToArray();
        double Sigma(double v) => 1 / (1 + Math.Exp(-v));
        var expectedLoss = z.Select((v, i) => -((smoothed[i] * Math.Log(Sigma(v))) + ((1 - smoothed[i]) * Math.Log(1 - Sigma(v))))).Average();
        var scores = tensor(z.Select(v => (float)v).ToArray(), requires_grad: true);

        var loss = Losses.BinaryCrossEntropy(scores, tensor(y.Select(v => (long)v).ToArray()), 0.1);
        loss.backward();

        Assert.Equal(expectedLoss, loss.item<float>(), 5);
        Assert.Equal(z.Select((v, i) => (Sigma(v) - smoothed[i]) / 3), scores.grad!.data<float>().ToArray().Select(g => (double)g), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void BinaryDistillation_IsZeroWhenTheScoresAgree_AndPullsTheStudentTowardTheTeacher()
    {
        using var scope = NewDisposeScope();
        var teacher = tensor(new[] { 3f, -2f });
        var student = tensor(new[] { 1f, -2f }, requires_grad: true);

        var same = Losses.BinaryDistillation(teacher, teacher, 4);
        var loss = Losses.BinaryDistillation(student, teacher, 4);
        loss.backward();

        Assert.Equal(0, same.item<float>(), 6);
        double Sigma(double v) => 1 / (1 + Math.Exp(-v));
        // d/ds T²·KL = T·(σ(s/T) − σ(t/T)) / N
        Assert.Equal(4 * (Sigma(0.25) - Sigma(0.75)) / 2, student.grad!.data<float>()[0], 6);
        Assert.Equal(0, student.grad!.data<float>()[1], 6);
    }

    [Fact]
    public void ForwardScores_OfASigmoidHead_IsThePreSigmoidScore_AndPredictThresholdsAtOneHalf()
    {
        var model = Model("Sigmoid", 1);
        var head = OutputHead.Detect(model).Value!;
        using var module = OnnxGraphModule.Create(model, head: head);
        using var scope = NewDisposeScope();
        var x = tensor(X, [2, 4]);

        var scores = HeadObjective.Scores(module, x);
        var shipped = module.Forward(x);

        Assert.Equal([2L], scores.shape);
        Assert.Equal(shipped.reshape(2).data<float>().ToArray().Select(v => (double)v), scores.sigmoid().data<float>().ToArray().Select(v => (double)v), new ToleranceComparer(1e-6));
        Assert.Equal(scores.data<float>().ToArray().Select(s => s >= 0 ? 1L : 0L), HeadObjective.Predict(head, scores).data<long>().ToArray());
    }

    /// <summary>x [N, 4] → Gemm(w) → <paramref name="op"/> → y [N, classes].</summary>
    private static ModelProto Model(string op, int classes)
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var z = b.Node("Gemm", [x, b.Initializer("w", W[..(classes * 4)], classes, 4)], ("transB", 1L));
        b.Node(op, [z]);
        b.Graph.Node[^1].Output[0] = "y";
        b.Output("y", DataType.Float, "N", (long)classes);
        return b.Build();
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
