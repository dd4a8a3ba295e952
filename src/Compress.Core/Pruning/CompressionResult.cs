using Compress.Onnx.Proto;
using Compress.Training;

namespace Compress.Pruning;

/// <summary>
/// What <see cref="CompressionEngine"/> produced. <see cref="Model"/> is a new ModelProto: the input with the
/// trained weights and running statistics written back (for channel pruning, the physically shrunk graph).
/// <see cref="Layers"/> holds the exact zero count of every eligible prunable tensor (for channel pruning: the
/// removed fraction of the original elements); <see cref="TotalSparsity"/> is Σ zeros / Σ elements over them.
/// <see cref="History"/> has one point per epoch; <see cref="ValidationAccuracy"/> is the final model's accuracy
/// on the validation data measured by the executor. <see cref="SamplesPerSecond"/> is training throughput.
/// </summary>
public sealed record CompressionResult(ModelProto Model, IReadOnlyList<TensorSparsity> Layers, double TotalSparsity, IReadOnlyList<EpochPoint> History, double ValidationAccuracy)
{
    /// <summary>Training throughput in samples per second (forward + backward + step), 0 when nothing was trained.</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Epochs actually trained (fewer than asked when early stopping triggered).</summary>
    public int EpochsRun { get; init; }

    /// <summary>How many BatchNormalizations <c>finetune.insert_batchnorm</c> trained and folded back into their Conv (0 without it).</summary>
    public int InsertedBatchNorms { get; init; }

    /// <summary>Whether libtorch's oneDNN computed the fine-tuning, and under <c>COMPRESS_ONEDNN=auto</c> the convolution checks behind it (null when nothing was trained).</summary>
    public Runtime.OneDnnDecision? OneDnn { get; init; }

    /// <summary>The sensitivity sweep's points (tensor, sparsity, accuracy) when sensitivity allocation ran; empty otherwise.</summary>
    public IReadOnlyList<SensitivityPoint> Sensitivity { get; init; } = [];
}
