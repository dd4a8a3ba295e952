using Compress.Graph.Operators;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// The training losses (mean over the batch). They run on every step, so the scalars they hand libtorch are rooted
/// (<see cref="RootedScalars"/>): C#'s <c>t * 0.9</c> or <c>a - b</c> would create a scalar the garbage collector may free
/// while libtorch still reads it.
/// </summary>
public static class Losses
{
    /// <summary>Cross-entropy of <paramref name="logits"/> [N, C] against class indices, with label smoothing ε: (1 − ε)·NLL + ε·mean over classes of −log p.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var logp = logits.log_softmax(1);
        var nll = logp.gather(1, labels.unsqueeze(1)).squeeze(1).neg();
        if (smoothing <= 0)
        {
            return nll.mean();
        }

        var uniform = logp.mean([1]).neg();
        return nll.Times(1 - smoothing).Plus(uniform.Times(smoothing)).mean();
    }

    /// <summary>Hinton's distillation term T²·KL(softmax(teacher/T) ‖ softmax(student/T)), mean over the batch.</summary>
    public static Tensor Distillation(Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var logq = student.DividedBy(temperature).log_softmax(1);
        var logp = teacher.DividedBy(temperature).log_softmax(1);
        var kl = logp.exp().mul(logp.Minus(logq)).sum(1).mean();
        return kl.Times(temperature * temperature);
    }

    /// <summary>
    /// Binary cross-entropy of pre-sigmoid <paramref name="scores"/> [N] against labels 0 (negative) / 1 (positive),
    /// computed from log-sigmoids (stable for large scores). Label smoothing ε moves the targets toward 0.5:
    /// y' = (1 − ε)·y + ε/2.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor scores, Tensor labels, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        var target = labels.to_type(scores.dtype);
        if (smoothing > 0)
        {
            target = target.Times(1 - smoothing).Plus(RootedScalars.Of(smoothing / 2));
        }

        var logp = nn.functional.logsigmoid(scores);
        var logNotP = nn.functional.logsigmoid(scores.neg());
        return target.mul(logp).Plus(target.Subtracted(1).mul(logNotP)).neg().mean();
    }

    /// <summary>
    /// Distillation of a binary score: T²·KL(Bernoulli(σ(teacher/T)) ‖ Bernoulli(σ(student/T))), mean over the
    /// batch; <paramref name="student"/> and <paramref name="teacher"/> are pre-sigmoid scores [N]. Zero when they agree.
    /// </summary>
    public static Tensor BinaryDistillation(Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var s = student.DividedBy(temperature);
        var t = teacher.DividedBy(temperature);
        var p = t.sigmoid();
        var kl = p.mul(nn.functional.logsigmoid(t).Minus(nn.functional.logsigmoid(s)))
            .Plus(p.Subtracted(1).mul(nn.functional.logsigmoid(t.neg()).Minus(nn.functional.logsigmoid(s.neg()))));
        return kl.mean().Times(temperature * temperature);
    }

    /// <summary>
    /// The CTC loss of per-frame log-probabilities <paramref name="logProbs"/> [T, N, V] against each item's token
    /// sequence (never containing the blank), item i using its first <paramref name="inputLengths"/>[i] frames (default:
    /// all T; the frames after them are padding and get no gradient). As torch's mean reduction: each item's
    /// negative log-likelihood divided by its target length, then the mean over the batch. An impossible alignment
    /// (a target needing more frames than T) contributes zero instead of infinity; <see cref="DataChecks"/> refuses such
    /// data before training.
    /// </summary>
    public static Tensor Ctc(Tensor logProbs, IReadOnlyList<int[]> targets, int blank, IReadOnlyList<long>? inputLengths = null)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(targets);
        var frames = logProbs.shape[0];
        var flat = targets.SelectMany(t => t).Select(t => (long)t).ToArray();
        var targetLengths = targets.Select(t => (long)t.Length).ToArray();
        long[] lengths = inputLengths is null ? [.. Enumerable.Repeat(frames, targets.Count)] : [.. inputLengths.Select(l => Math.Clamp(l, 0, frames))];
        return nn.functional.ctc_loss(logProbs, tensor(flat), tensor(lengths), tensor(targetLengths), blank, zero_infinity: true, reduction: nn.Reduction.Mean);
    }

    /// <summary>
    /// Distillation of per-frame CTC posteriors: Hinton's term over every frame of every item (scores [T, N, V]), the
    /// mean over frames and items.
    /// </summary>
    public static Tensor FrameDistillation(Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var vocabulary = student.shape[^1];
        return Distillation(student.reshape(-1, vocabulary), teacher.reshape(-1, vocabulary), temperature);
    }
}
