using Compress.Graph;
using Compress.Graph.Operators;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// What training does with a head's scores (<see cref="OnnxGraphModule.ForwardScores"/>): the loss, the
/// distillation term and the predicted class. Class heads (logits, and Softmax/LogSoftmax trained on their
/// pre-softmax input) use cross-entropy over [N, classes]; a sigmoid head uses binary cross-entropy on its
/// pre-sigmoid score [N] (class 1 = positive). A CTC head (<see cref="OutputHead.Ctc"/>) is shaped to per-frame
/// log-probabilities [T, N, V] and trained with the CTC loss against its transcripts' tokens; its classes are
/// transcripts. This is the one switch from a head to a loss.
/// </summary>
public static class HeadObjective
{
    /// <summary>The scores of <paramref name="head"/> as the loss takes them: [N, classes], or [N] for a sigmoid.</summary>
    public static Tensor Shape(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(scores);
        if (head.Ctc is { } ctc)
        {
            if (scores.dim() != 3)
            {
                return scores; // not per-frame scores: Classes says so, and DataChecks stops with CMP4005
            }

            // Logits, or the input of a Softmax/LogSoftmax head: log_softmax over the vocabulary gives log-probabilities either way.
            var timeMajor = ctc.TimeMajor ? scores : scores.transpose(0, 1);
            return timeMajor.log_softmax(2);
        }

        return head.Kind switch
        {
            HeadKind.Logits => scores,
            HeadKind.Softmax or HeadKind.LogSoftmax => scores.dim() > 2 ? scores.flatten(1) : scores,
            HeadKind.Sigmoid => scores.reshape(scores.shape[0]),
        };
    }

    /// <summary>The training loss of shaped <paramref name="scores"/> against class indices, with label smoothing ε.</summary>
    /// <remarks>
    /// A CTC head ignores label smoothing (its targets are sequences, not one class); with
    /// <paramref name="validFrames"/> (a batch's <see cref="Batch.ValidFrames"/>) each item's loss uses only the output
    /// frames of its clip (<see cref="CtcHead.ValidOutputFrames"/>), not those of its padding.
    /// </remarks>
    public static Tensor Loss(OutputHead head, Tensor scores, Tensor labels, double smoothing, IReadOnlyList<(int Valid, int Total)?>? validFrames = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(labels);
        if (head.Ctc is { } ctc)
        {
            var frames = scores.dim() == 3 ? (int)scores.shape[0] : 0;
            var lengths = validFrames?.Select(v => (long)CtcHead.ValidOutputFrames(frames, v)).ToArray();
            return Losses.Ctc(scores, Targets(ctc, labels), ctc.Blank, lengths);
        }

        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => Losses.CrossEntropy(scores, labels, smoothing),
            HeadKind.Sigmoid => Losses.BinaryCrossEntropy(scores, labels, smoothing),
        };
    }

    /// <summary>The distillation term between shaped student and teacher scores at temperature T.</summary>
    public static Tensor Distillation(OutputHead head, Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Ctc is not null)
        {
            return Losses.FrameDistillation(student, teacher, temperature);
        }

        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => Losses.Distillation(student, teacher, temperature),
            HeadKind.Sigmoid => Losses.BinaryDistillation(student, teacher, temperature),
        };
    }

    /// <summary>The predicted class of each item: the highest score, or for a sigmoid 1 when σ(score) ≥ 0.5 (score ≥ 0).</summary>
    /// <remarks>A CTC head has no class prediction (<see cref="Evaluator"/> decodes it instead).</remarks>
    public static Tensor Predict(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Ctc is not null)
        {
            throw new InvalidOperationException("a CTC head is decoded, not classified");
        }

        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => scores.argmax(1),
            HeadKind.Sigmoid => scores.ge(RootedScalars.Of(0.0)).to_type(ScalarType.Int64), // a rooted 0: a transient scalar may be freed mid-call
        };
    }

    /// <summary>How many classes shaped <paramref name="scores"/> stand for (2 for a sigmoid score); null when they are not [N, classes].</summary>
    /// <remarks>For a CTC head: its transcripts, when the shaped scores are [T, N, V] with V its vocabulary.</remarks>
    public static long? Classes(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(scores);
        if (head.Ctc is { } ctc)
        {
            return scores.dim() == 3 && scores.shape[2] == ctc.Vocabulary ? ctc.Targets.Count : null;
        }

        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => scores.dim() == 2 ? scores.shape[1] : null,
            HeadKind.Sigmoid => 2,
        };
    }

    /// <summary>The token sequences of a batch's transcript classes.</summary>
    public static IReadOnlyList<int[]> Targets(CtcHead ctc, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(ctc);
        ArgumentNullException.ThrowIfNull(labels);
        return [.. labels.data<long>().Select(l => ctc.Targets[(int)l])];
    }

    /// <summary>
    /// Greedy decoding of shaped CTC scores [T, N, V]: each item's best token per frame, repeats collapsed and blanks
    /// removed (token ids, in item order).
    /// </summary>
    public static int[][] Decode(CtcHead ctc, Tensor shaped)
    {
        ArgumentNullException.ThrowIfNull(ctc);
        ArgumentNullException.ThrowIfNull(shaped);
        var best = shaped.argmax(2).transpose(0, 1).contiguous(); // [N, T]
        var (items, frames) = ((int)best.shape[0], (int)best.shape[1]);
        var ids = best.data<long>().Select(v => (int)v).ToArray();
        var decoded = new int[items][];
        for (var i = 0; i < items; i++)
        {
            decoded[i] = Text.CtcVocabulary.Collapse(ids.AsSpan(i * frames, frames), ctc.Blank);
        }

        return decoded;
    }

    /// <summary>Runs <paramref name="module"/> on <paramref name="input"/> and returns its head's shaped training scores.</summary>
    public static Tensor Scores(OnnxGraphModule module, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Shape(module.Head, module.ForwardScores(input));
    }
}
