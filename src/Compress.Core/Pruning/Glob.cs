using System.Text;
using System.Text.RegularExpressions;

namespace Compress.Pruning;

/// <summary>
/// Name patterns of <c>include</c>/<c>exclude</c>: <c>*</c> matches any run of characters (dots included),
/// <c>?</c> one character, everything else itself; the whole name must match; case-sensitive.
/// </summary>
public static class Glob
{
    /// <summary>True when <paramref name="name"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return ToRegex(pattern).IsMatch(name);
    }

    /// <summary>True when any pattern matches any of the names.</summary>
    public static bool AnyMatch(IEnumerable<string> patterns, params string[] names) =>
        patterns.Any(p => names.Any(n => n.Length > 0 && IsMatch(p, n)));

    private static Regex ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        foreach (var c in pattern)
        {
            sb.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
