namespace Compress.Diagnostics;

/// <summary>
/// A value and the diagnostics found while producing it: the one shape every pipeline stage returns. Warnings ride
/// along with a value; any error means there is no usable value (<see cref="Failed"/>). Exceptions are left for
/// programmer errors and for engines that still throw <see cref="CompressException"/> deep inside.
/// </summary>
public sealed record Result<T>
    where T : class
{
    private Result(T? value, IReadOnlyList<Diagnostic> diagnostics)
    {
        Value = value;
        Diagnostics = diagnostics;
    }

    /// <summary>The value; null when <see cref="Failed"/>.</summary>
    public T? Value { get; }

    /// <summary>Every error, warning and note, in the order found.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>True when there is no value, i.e. at least one diagnostic is an error.</summary>
    public bool Failed => Value is null;

    /// <summary>A value, with <paramref name="diagnostics"/> (warnings and notes; an error among them fails the result).</summary>
    public static Result<T> Ok(T value, IEnumerable<Diagnostic>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var list = diagnostics?.ToList() ?? [];
        return new Result<T>(list.Any(d => d.IsError) ? null : value, list);
    }

    /// <summary>No value: <paramref name="diagnostics"/> holds at least one error.</summary>
    public static Result<T> Fail(IEnumerable<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var list = diagnostics.ToList();
        if (!list.Any(d => d.IsError))
        {
            throw new ArgumentException("a failed result needs at least one error", nameof(diagnostics));
        }

        return new Result<T>(null, list);
    }

    /// <summary>A failed result from an error, or a value when <paramref name="errors"/> is empty.</summary>
    public static Result<T> OkUnless(IReadOnlyList<Diagnostic> errors, Func<T> value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(value);
        return errors.Any(d => d.IsError) ? Fail(errors) : Ok(value(), errors);
    }
}
