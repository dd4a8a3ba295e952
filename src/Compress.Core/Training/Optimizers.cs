using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>Creates the optimizer of <see cref="FineTuneOptions"/> and sets its learning rate per step.</summary>
public static class Optimizers
{
    /// <summary>SGD (momentum, Nesterov, L2 weight decay), Adam (L2 weight decay) or AdamW (decoupled weight decay).</summary>
    public static optim.Optimizer Create(FineTuneOptions options, IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay, nesterov: options.Nesterov),
            OptimizerKind.Adam => optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        };
    }

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }
}
