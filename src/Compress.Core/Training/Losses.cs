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
}
