using Compress.Graph;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// Accuracy and mean loss (of the module's head, <see cref="HeadObjective"/>) of a module on a dataset (eval mode, no
/// gradients). For a CTC head the accuracy is 1 − the token error rate of greedy decoding (edit distance over all
/// items' transcripts, floored at 0): higher is better, like accuracy, so early stopping and sensitivity analysis
/// treat both alike.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates every item of <paramref name="data"/> in batches of <paramref name="batchSize"/>; restores the module's mode.</summary>
    public static (double Accuracy, double Loss) Evaluate(OnnxGraphModule module, ITrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            return (0, 0);
        }

        var wasTraining = module.training;
        module.eval();
        long correct = 0;
        double lossSum = 0;
        var tokenErrors = default(Text.EditCounts);
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = Batches.Read(data, Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray());
                var scores = HeadObjective.Scores(module, tensor(batch.Features, batch.Shape));
                var labels = tensor(batch.Labels);
                if (module.Head.Ctc is { } ctc)
                {
                    var decoded = HeadObjective.Decode(ctc, scores);
                    for (var i = 0; i < decoded.Length; i++)
                    {
                        tokenErrors += Text.EditDistance.Count(ctc.Targets[(int)batch.Labels[i]], decoded[i]);
                    }
                }
                else
                {
                    correct += (HeadObjective.Predict(module.Head, scores) == labels).sum().item<long>();
                }

                lossSum += HeadObjective.Loss(module.Head, scores, labels, 0).item<float>() * batch.Labels.Length;
            }
        }
        finally
        {
            module.train(wasTraining);
        }

        var accuracy = module.Head.Ctc is null ? (double)correct / data.Count : Math.Max(0, 1 - tokenErrors.Rate);
        return (accuracy, lossSum / data.Count);
    }
}
