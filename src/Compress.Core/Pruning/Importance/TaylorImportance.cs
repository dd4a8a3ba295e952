using Compress.Graph;
using Compress.Graph.Operators;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning.Importance;

/// <summary>
/// First-order Taylor saliency (Molchanov et al.): a weight's score is Σ over batches of |w · ∂L/∂w|, the
/// estimated change of the loss when the weight is removed, accumulated over a number of training batches.
/// Gradients come from the cross-entropy loss in eval mode (BatchNormalization running statistics are not touched);
/// the parameters' gradients are cleared afterwards.
/// </summary>
public static class TaylorImportance
{
    /// <summary>Flat scores per named parameter.</summary>
    /// <param name="round">Which scoring round this is; with the seed it picks the batches deterministically.</param>
    public static Dictionary<string, float[]> Score(OnnxGraphModule module, IReadOnlyList<string> names, ITrainingData data, int batchSize, int batches, int seed, int round)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(data);
        var accumulators = names.ToDictionary(n => n, n => zeros_like(module.OnnxParameters[n]).DetachFromDisposeScope(), StringComparer.Ordinal);
        var wasTraining = module.training;
        module.eval();
        try
        {
            foreach (var indices in Batches.Scoring(data.Count, batchSize, batches, seed, round))
            {
                using var scope = NewDisposeScope();
                ClearGradients(module);
                var batch = Batches.Read(data, indices);
                var loss = HeadObjective.Loss(module.Head, HeadObjective.Scores(module, tensor(batch.Features, batch.Shape)), tensor(batch.Labels), 0);
                loss.backward();
                using var noGrad = no_grad();
                foreach (var name in names)
                {
                    var p = module.OnnxParameters[name];
                    if (p.grad is { } grad)
                    {
                        accumulators[name].PlusInPlace((p.detach() * grad).abs());
                    }
                }
            }
        }
        finally
        {
            ClearGradients(module);
            module.train(wasTraining);
        }

        var scores = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, acc) in accumulators)
        {
            scores[name] = MagnitudeImportance.Flat(acc);
            acc.Dispose();
        }

        return scores;
    }

    private static void ClearGradients(OnnxGraphModule module)
    {
        foreach (var p in module.OnnxParameters.Values)
        {
            p.grad?.zero_();
        }
    }
}
