using Compress.Diagnostics;

namespace Compress.Spec;

/// <summary>
/// The outcome of parsing a spec: <see cref="Spec"/> is non-null exactly when <see cref="Diagnostics"/> holds
/// no error. Diagnostics are in file order (line, then column), those of <c>--set</c> overrides last.
/// </summary>
public sealed record SpecParseResult(CompressSpec? Spec, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when a spec was produced.</summary>
    public bool Succeeded => Spec is not null;
}
