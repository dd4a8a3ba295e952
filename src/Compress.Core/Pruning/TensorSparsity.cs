namespace Compress.Pruning;

/// <summary>
/// A prunable tensor's exact sparsity after pruning: <see cref="Zeros"/> of its <see cref="Elements"/> are exactly
/// zero (for channel pruning: were removed from the original tensor of <see cref="Elements"/>).
/// </summary>
/// <param name="Name">The initializer's name in the (folded) model.</param>
public sealed record TensorSparsity(string Name, long Elements, long Zeros)
{
    /// <summary>Zeros / elements, a fraction (0 for an empty tensor).</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)Zeros / Elements;
}
