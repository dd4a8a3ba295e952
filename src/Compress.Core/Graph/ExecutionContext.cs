namespace Compress.Graph;

/// <summary>What a forward pass runs under.</summary>
/// <param name="Training">
/// True in training mode: BatchNormalization uses batch statistics and updates its running statistics, Dropout
/// is active. False in evaluation mode, which is what ONNX Runtime computes.
/// </param>
public sealed record ExecutionContext(bool Training)
{
    /// <summary>Evaluation mode.</summary>
    public static ExecutionContext Eval { get; } = new(false);

    /// <summary>Training mode.</summary>
    public static ExecutionContext Train { get; } = new(true);
}
