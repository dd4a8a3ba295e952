using Compress.Graph.Operators;
using Compress.Pruning.Dependency;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Compress.Pruning.Regularizers;

/// <summary>
/// The group-lasso penalty of structured pruning, as Wen et al. (2016, "Learning Structured Sparsity in Deep Neural
/// Networks") apply it to filters, without Yuan &amp; Lin's √(slice size) factor: Σ over the groups, Σ over each
/// group's alive channels, of ‖w_c‖₂ = √(Σ w²) over every slice channel c occupies in the penalised tensors (the
/// weight tensors the channel criterion scores: the producers' output slices and the consumers' input slices, gate
/// blocks and concat segments included through <see cref="ChannelSlice.IndicesOf"/>; never biases or normalisation
/// parameters). The gradient on a channel's weights is the unit vector w_c/‖w_c‖, so plain SGD shrinks every
/// channel's norm by the same lr·λ a step: the weakest channels reach zero first. Removed channels are left out
/// (their masked slices are zero, the rest is cut at the end, and √ has no gradient at 0).
/// </summary>
public sealed class GroupLasso
{
    // Floor under Σw² so a channel that is exactly zero gets gradient 0 rather than 0/0; √ of it is 1e-15. Static, so
    // libtorch never reads a finalized Scalar (see RootedScalars).
    private static readonly Scalar Floor = 1e-30f.ToScalar();

    private readonly IReadOnlyList<ChannelGroup> _groups;
    private readonly IReadOnlySet<string> _tensors;
    private readonly Dictionary<int, (int Removed, int Alive, List<(ChannelSlice Slice, long[] Indices)> Slices)> _indices = [];

    /// <param name="groups">The prunable groups (the pruner's).</param>
    /// <param name="tensors">The penalised tensors; slices of other tensors are ignored.</param>
    public GroupLasso(IReadOnlyList<ChannelGroup> groups, IEnumerable<string> tensors)
    {
        _groups = groups ?? throw new ArgumentNullException(nameof(groups));
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The penalty without λ, as a scalar tensor in the parameters' graph (so backward reaches them); null when no
    /// group has an alive channel in a penalised tensor. <paramref name="removed"/> gives each group's removed channels.
    /// </summary>
    public Tensor? Value(IReadOnlyDictionary<string, Parameter> parameters, Func<ChannelGroup, IReadOnlySet<int>> removed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(removed);
        var squares = new Dictionary<(string, int), Tensor>(); // Σ w² over every axis but the slice's, per index along it
        Tensor? total = null;
        foreach (var group in _groups)
        {
            var (alive, slices) = Indices(group, removed(group));
            Tensor? channels = null; // [alive]: Σ w² of each alive channel over all its slices
            foreach (var (slice, indices) in slices.Where(s => parameters.ContainsKey(s.Slice.Tensor)))
            {
                if (!squares.TryGetValue((slice.Tensor, slice.Axis), out var perIndex))
                {
                    var p = parameters[slice.Tensor];
                    var others = Enumerable.Range(0, (int)p.dim()).Where(d => d != slice.Axis).Select(d => (long)d).ToArray();
                    perIndex = others.Length == 0 ? p.square() : p.square().sum(others);
                    squares[(slice.Tensor, slice.Axis)] = perIndex;
                }

                var term = perIndex.index_select(0, tensor(indices)).view(alive, -1).sum(1);
                channels = channels is null ? term : channels.Plus(term);
            }

            if (channels is not null)
            {
                var norms = channels.clamp_min(Floor).sqrt().sum();
                total = total is null ? norms : total.Plus(norms);
            }
        }

        return total;
    }

    /// <summary>The alive channels' indices in each penalised slice of <paramref name="group"/>, channel after channel; rebuilt when channels are removed.</summary>
    private (int Alive, List<(ChannelSlice Slice, long[] Indices)> Slices) Indices(ChannelGroup group, IReadOnlySet<int> removed)
    {
        if (_indices.TryGetValue(group.Id, out var cached) && cached.Removed == removed.Count)
        {
            return (cached.Alive, cached.Slices);
        }

        var alive = Enumerable.Range(0, group.Size).Where(c => !removed.Contains(c)).ToList();
        var slices = alive.Count == 0
            ? []
            : group.Slices.Where(s => _tensors.Contains(s.Tensor)).Select(s => (s, alive.SelectMany(s.IndicesOf).ToArray())).ToList();
        _indices[group.Id] = (removed.Count, alive.Count, slices);
        return (alive.Count, slices);
    }
}
