using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Binary masks (1 = keep, 0 = pruned) over named parameters, each the parameter's shape and dtype. Masks only
/// shrink: a weight once pruned stays pruned. <see cref="Apply"/> zeroes the pruned weights in place; the trainer
/// calls <see cref="MaskGradients"/> before and <see cref="Apply"/> after every optimizer step, so pruned weights
/// are exactly zero after each step whatever the optimizer's momentum holds.
/// </summary>
public sealed class MaskSet : IDisposable
{
    private readonly Dictionary<string, Tensor> _masks = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, Parameter> _parameters;

    /// <summary>Creates all-ones masks over <paramref name="names"/> of <paramref name="parameters"/>.</summary>
    public MaskSet(IReadOnlyDictionary<string, Parameter> parameters, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(names);
        _parameters = parameters;
        foreach (var name in names)
        {
            var p = parameters[name];
            _masks[name] = ones_like(p).DetachFromDisposeScope();
        }
    }

    /// <summary>The masked parameter names, in the order given.</summary>
    public IReadOnlyCollection<string> Names => _masks.Keys;

    /// <summary>The mask of one parameter (1 = keep, 0 = pruned).</summary>
    public Tensor this[string name] => _masks[name];

    /// <summary>Replaces a mask with <c>old · next</c> (so masks never regrow) and zeroes the newly pruned weights.</summary>
    public void Update(string name, Tensor next)
    {
        ArgumentNullException.ThrowIfNull(next);
        using var noGrad = no_grad();
        var mask = _masks[name];
        mask.mul_(next.to_type(mask.dtype));
        _parameters[name].mul_(mask);
    }

    /// <summary>Zeroes every pruned weight in place.</summary>
    public void Apply()
    {
        using var noGrad = no_grad();
        foreach (var (name, mask) in _masks)
        {
            _parameters[name].mul_(mask);
        }
    }

    /// <summary>Zeroes the gradients of pruned weights, so no optimizer state accumulates for them.</summary>
    public void MaskGradients()
    {
        using var noGrad = no_grad();
        foreach (var (name, mask) in _masks)
        {
            _parameters[name].grad?.mul_(mask);
        }
    }

    /// <summary>Number of pruned (mask 0) entries of one parameter.</summary>
    public long PrunedCount(string name)
    {
        using var scope = NewDisposeScope();
        return (_masks[name] == 0).sum().item<long>();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var mask in _masks.Values)
        {
            mask.Dispose();
        }

        _masks.Clear();
    }
}

/// <summary>Exact zero counts of weights.</summary>
public static class SparsityAccounting
{
    /// <summary>Counts the exactly-zero elements of each named tensor.</summary>
    public static IReadOnlyList<TensorSparsity> Count(IReadOnlyDictionary<string, Parameter> parameters, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new List<TensorSparsity>();
        using var scope = NewDisposeScope();
        foreach (var name in names)
        {
            var p = parameters[name];
            result.Add(new TensorSparsity(name, p.numel(), (p.detach() == 0).sum().item<long>()));
        }

        return result;
    }

    /// <summary>Total zeros over total elements (0 when there are no elements).</summary>
    public static double Total(IReadOnlyList<TensorSparsity> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var elements = layers.Sum(l => l.Elements);
        return elements == 0 ? 0 : (double)layers.Sum(l => l.Zeros) / elements;
    }
}
