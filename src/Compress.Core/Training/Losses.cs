using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>The training losses (mean over the batch).</summary>
public static class Losses
{
    /// <summary>Cross-entropy of <paramref name="logits"/> [N, C] against class indices, with label smoothing ε: (1 − ε)·NLL + ε·mean over classes of −log p.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var logp = logits.log_softmax(1);
        var nll = -logp.gather(1, labels.unsqueeze(1)).squeeze(1);
        if (smoothing <= 0)
        {
            return nll.mean();
        }

        var uniform = -logp.mean([1]);
        return ((1 - smoothing) * nll + smoothing * uniform).mean();
    }

    /// <summary>Hinton's distillation term T²·KL(softmax(teacher/T) ‖ softmax(student/T)), mean over the batch.</summary>
    public static Tensor Distillation(Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var logq = (student / temperature).log_softmax(1);
        var logp = (teacher / temperature).log_softmax(1);
        var kl = (logp.exp() * (logp - logq)).sum(1).mean();
        return kl * (temperature * temperature);
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
            target = ((1 - smoothing) * target) + (smoothing / 2);
        }

        var logp = nn.functional.logsigmoid(scores);
        var logNotP = nn.functional.logsigmoid(-scores);
        return (-((target * logp) + ((1 - target) * logNotP))).mean();
    }

    /// <summary>
    /// Distillation of a binary score: T²·KL(Bernoulli(σ(teacher/T)) ‖ Bernoulli(σ(student/T))), mean over the
    /// batch; <paramref name="student"/> and <paramref name="teacher"/> are pre-sigmoid scores [N]. Zero when they agree.
    /// </summary>
    public static Tensor BinaryDistillation(Tensor student, Tensor teacher, double temperature)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var s = student / temperature;
        var t = teacher / temperature;
        var p = t.sigmoid();
        var kl = (p * (nn.functional.logsigmoid(t) - nn.functional.logsigmoid(s)))
            + ((1 - p) * (nn.functional.logsigmoid(-t) - nn.functional.logsigmoid(-s)));
        return kl.mean() * (temperature * temperature);
    }
}
