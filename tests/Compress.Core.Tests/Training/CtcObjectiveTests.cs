using Compress.Graph;
using Compress.Runtime;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Core.Tests.Training;

/// <summary>The CTC objective against the definition: the probability of a transcript is the sum over every frame path that collapses to it.</summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class CtcObjectiveTests
{
    private const int Frames = 4;
    private const int Vocabulary = 3;
    private static readonly int[][] Targets = [[1, 2], [1, 1], [2]];

    public CtcObjectiveTests() => TorchRuntime.Initialize();

    private static OutputHead Head(bool timeMajor) =>
        new("y", HeadKind.Logits, "y", null, Vocabulary) { Ctc = new CtcHead(["_", "a", "b"], 0, null, timeMajor, Targets) };

    /// <summary>Scores [N=3, T, V], fixed pseudo-random logits.</summary>
    private static float[] Scores() => [.. Enumerable.Range(0, 3 * Frames * Vocabulary).Select(i => (float)Math.Sin((i * 1.7) + 0.3) * 2)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loss_IsTheMeanOfMinusLogPathSumOverTargetLength(bool timeMajor)
    {
        var raw = Scores();
        var expected = 0.0;
        for (var n = 0; n < 3; n++)
        {
            expected += -Math.Log(PathSum(raw, n, Targets[n])) / Targets[n].Length / 3;
        }

        using var scope = NewDisposeScope();
        var batchMajor = tensor(raw, [3, Frames, Vocabulary]);
        var scores = timeMajor ? batchMajor.transpose(0, 1).contiguous() : batchMajor;
        var head = Head(timeMajor);
        var loss = HeadObjective.Loss(head, HeadObjective.Shape(head, scores), tensor(new long[] { 0, 1, 2 }), smoothing: 0.1);

        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loss_WithClipLengths_SumsOnlyThePathsOverEachClipsOwnFrames_AndIgnoresThePadding(bool timeMajor)
    {
        // Item 0 spans 3 of its 4 frames, item 1 3 (exactly "a _ a"), item 2 2: frame 4 (and 3) are padding.
        int[] lengths = [3, 3, 2];
        var raw = Scores();
        var expected = 0.0;
        for (var n = 0; n < 3; n++)
        {
            expected += -Math.Log(PathSum(raw, n, Targets[n], lengths[n])) / Targets[n].Length / 3;
        }

        using var scope = NewDisposeScope();
        var head = Head(timeMajor);
        float Loss(float[] values)
        {
            var batchMajor = tensor(values, [3, Frames, Vocabulary]);
            var scores = timeMajor ? batchMajor.transpose(0, 1).contiguous() : batchMajor;
            return HeadObjective.Loss(head, HeadObjective.Shape(head, scores), tensor(new long[] { 0, 1, 2 }), 0, [.. lengths.Select(l => ((int, int)?)(l, Frames))]).item<float>();
        }

        // Other scores on the padding frames: the same loss.
        var repadded = (float[])raw.Clone();
        for (var n = 0; n < 3; n++)
        {
            for (var i = lengths[n] * Vocabulary; i < Frames * Vocabulary; i++)
            {
                repadded[(n * Frames * Vocabulary) + i] = 7 - i;
            }
        }

        Assert.Equal(expected, Loss(raw), 4);
        Assert.Equal(Loss(raw), Loss(repadded), 6);
        Assert.NotEqual(Loss(raw), HeadObjective.Loss(head, HeadObjective.Shape(head, timeMajor ? tensor(raw, [3, Frames, Vocabulary]).transpose(0, 1).contiguous() : tensor(raw, [3, Frames, Vocabulary])), tensor(new long[] { 0, 1, 2 }), 0).item<float>(), 3);
    }

    [Fact]
    public void FrameDistillation_IsZeroForTheTeacherItself_AndPositiveOtherwise()
    {
        using var scope = NewDisposeScope();
        var head = Head(false);
        var teacher = HeadObjective.Shape(head, tensor(Scores(), [3, Frames, Vocabulary]));
        var student = HeadObjective.Shape(head, tensor(Scores().Select(v => v * 0.5f).ToArray(), [3, Frames, Vocabulary]));

        Assert.Equal(0, HeadObjective.Distillation(head, teacher, teacher, 2).item<float>(), 6);
        Assert.True(HeadObjective.Distillation(head, student, teacher, 2).item<float>() > 1e-3);
    }

    [Fact]
    public void Decode_TakesTheBestTokenPerFrame_CollapsesRepeatsAndDropsBlanks()
    {
        using var scope = NewDisposeScope();
        var head = Head(false);
        // Item 0 frames: a a _ b → "ab"; item 1: _ a _ a → "aa"; item 2: all blank → "".
        float[] Peak(int token) => [.. Enumerable.Range(0, Vocabulary).Select(v => v == token ? 5f : 0f)];
        var frames = new[] { 1, 1, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0 }.SelectMany(Peak).ToArray();

        var decoded = HeadObjective.Decode(head.Ctc!, HeadObjective.Shape(head, tensor(frames, [3, Frames, Vocabulary])));

        Assert.Equal([[1, 2], [1, 1], []], decoded);
    }

    [Fact]
    public void AnOutputThatIsNotPerFrame_HasNoCtcClasses_SoTrainingStopsWithCmp4005()
    {
        using var scope = NewDisposeScope();
        var head = Head(false);
        var classScores = tensor(new float[6], [2, 3]);

        var shaped = HeadObjective.Shape(head, classScores);

        Assert.Equal([2L, 3L], shaped.shape);
        Assert.Null(HeadObjective.Classes(head, shaped));
    }

    /// <summary>p(target | item n) by enumerating all Vᵀ frame paths of the softmax of the raw scores (over the first <paramref name="frames"/> frames).</summary>
    private static double PathSum(float[] raw, int n, int[] target, int frames = Frames)
    {
        var p = new double[frames, Vocabulary];
        for (var t = 0; t < frames; t++)
        {
            var row = Enumerable.Range(0, Vocabulary).Select(v => Math.Exp(raw[(((n * Frames) + t) * Vocabulary) + v])).ToArray();
            for (var v = 0; v < Vocabulary; v++)
            {
                p[t, v] = row[v] / row.Sum();
            }
        }

        var total = 0.0;
        var paths = (int)Math.Pow(Vocabulary, frames);
        for (var code = 0; code < paths; code++)
        {
            var path = new int[frames];
            var probability = 1.0;
            for (int t = 0, c = code; t < frames; t++, c /= Vocabulary)
            {
                path[t] = c % Vocabulary;
                probability *= p[t, path[t]];
            }

            if (Compress.Text.CtcVocabulary.Collapse(path, 0).SequenceEqual(target))
            {
                total += probability;
            }
        }

        return total;
    }
}
