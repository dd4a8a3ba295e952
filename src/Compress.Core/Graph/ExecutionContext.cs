namespace Compress.Graph;

/// <summary>What a forward pass runs under.</summary>
/// <param name="Training">
/// True in training mode: BatchNormalization uses batch statistics and updates its running statistics, Dropout
/// is active. False in evaluation mode, which is what ONNX Runtime computes.
/// </param>
public sealed record ExecutionContext(bool Training)
{
    /// <summary>
    /// Resolves values of the graph being run by name (set by <see cref="CompiledGraph.Run"/>); sub-graphs (If) use
    /// it to read outer-scope values.
    /// </summary>
    public Func<string, TorchSharp.torch.Tensor?>? Scope { get; init; }

    /// <summary>Evaluation mode.</summary>
    public static ExecutionContext Eval { get; } = new(false);

    /// <summary>Training mode.</summary>
    public static ExecutionContext Train { get; } = new(true);
}
