using System.Collections;
using System.Runtime.CompilerServices;

namespace Compress.Spec;

/// <summary>
/// An immutable list that compares by its items, so spec records holding lists keep value equality
/// (two parses of the same text are equal). Collection expressions (<c>["yes", "no"]</c>) build one.
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    internal ValueList(T[] items) => _items = items;

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(ValueList<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary><c>[a, b, c]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}

/// <summary>Builds <see cref="ValueList{T}"/>s.</summary>
public static class ValueList
{
    /// <summary>A list of a copy of <paramref name="items"/>.</summary>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? ValueList<T>.Empty : new(items.ToArray());

    /// <summary>A list of the items of <paramref name="items"/>.</summary>
    public static ValueList<T> From<T>(IEnumerable<T> items) => new(items.ToArray());
}
