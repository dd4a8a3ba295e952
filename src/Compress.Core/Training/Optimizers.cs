namespace Compress.Training;

/// <summary>Creates the optimizer of <see cref="FineTuneOptions"/>.</summary>
public static class Optimizers
{
    /// <summary>
    /// SGD (momentum, Nesterov, L2 weight decay), Adam (L2 weight decay) or AdamW (decoupled weight decay): PyTorch's
    /// rules in <see cref="ScalarSafeOptimizer"/>, not TorchSharp's optimizers, whose scalars can be freed mid-call.
    /// </summary>
    public static ScalarSafeOptimizer Create(FineTuneOptions options, IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Optimizer switch
        {
            OptimizerKind.Sgd => new ScalarSafeOptimizer(OptimizerKind.Sgd, parameters, options.LearningRate, options.Momentum, options.Nesterov, options.WeightDecay),
            OptimizerKind.Adam => new ScalarSafeOptimizer(OptimizerKind.Adam, parameters, options.LearningRate, weightDecay: options.WeightDecay),
            OptimizerKind.AdamW => new ScalarSafeOptimizer(OptimizerKind.AdamW, parameters, options.LearningRate, weightDecay: options.WeightDecay),
        };
    }
}
