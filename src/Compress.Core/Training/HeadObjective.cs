using Compress.Graph;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// What training does with a head's scores (<see cref="OnnxGraphModule.ForwardScores"/>): the loss, the
/// distillation term and the predicted class. Class heads (logits, and Softmax/LogSoftmax trained on their
/// pre-softmax input) use cross-entropy over [N, classes]; a sigmoid head uses binary cross-entropy on its
/// pre-sigmoid score [N] (class 1 = positive). This is the one switch from <see cref="HeadKind"/> to a loss.
/// </summary>
public static class HeadObjective
{
    /// <summary>The scores of <paramref name="head"/> as the loss takes them: [N, classes], or [N] for a sigmoid.</summary>
    public static Tensor Shape(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(scores);
        return head.Kind switch
        {
            HeadKind.Logits => scores,
            HeadKind.Softmax or HeadKind.LogSoftmax => scores.dim() > 2 ? scores.flatten(1) : scores,
            HeadKind.Sigmoid => scores.reshape(scores.shape[0]),
        };
    }

    /// <summary>The training loss of shaped <paramref name="scores"/> against class indices, with label smoothing ε.</summary>
    public static Tensor Loss(OutputHead head, Tensor scores, Tensor labels, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(head);
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
        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => Losses.Distillation(student, teacher, temperature),
            HeadKind.Sigmoid => Losses.BinaryDistillation(student, teacher, temperature),
        };
    }

    /// <summary>The predicted class of each item: the highest score, or for a sigmoid 1 when σ(score) ≥ 0.5 (score ≥ 0).</summary>
    public static Tensor Predict(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => scores.argmax(1),
            HeadKind.Sigmoid => scores.ge(0).to_type(ScalarType.Int64),
        };
    }

    /// <summary>How many classes shaped <paramref name="scores"/> stand for (2 for a sigmoid score); null when they are not [N, classes].</summary>
    public static long? Classes(OutputHead head, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(scores);
        return head.Kind switch
        {
            HeadKind.Logits or HeadKind.Softmax or HeadKind.LogSoftmax => scores.dim() == 2 ? scores.shape[1] : null,
            HeadKind.Sigmoid => 2,
        };
    }

    /// <summary>Runs <paramref name="module"/> on <paramref name="input"/> and returns its head's shaped training scores.</summary>
    public static Tensor Scores(OnnxGraphModule module, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Shape(module.Head, module.ForwardScores(input));
    }
}
