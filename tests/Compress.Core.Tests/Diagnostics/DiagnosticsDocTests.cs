using System.Text.RegularExpressions;
using Compress.Core.Tests.Spec;

namespace Compress.Core.Tests.Diagnostics;

/// <summary>docs/diagnostics.md and the code agree: every code the sources can emit has a row, and every row a code.</summary>
public sealed partial class DiagnosticsDocTests
{
    [GeneratedRegex("\"(CMP[0-9]{4})\"")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"^\| (CMP[0-9]{4}) \|", RegexOptions.Multiline)]
    private static partial Regex DocRow();

    [Fact]
    public void EveryCodeInTheSources_HasOneRow_AndNoRowIsStale()
    {
        var root = FullSpec.RepositoryRoot();
        var inSources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => CodeLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var rows = DocRow().Matches(File.ReadAllText(Path.Combine(root, "docs", "diagnostics.md"))).Select(m => m.Groups[1].Value).ToList();

        Assert.True(inSources.Count > 90, $"only {inSources.Count} codes found in src/: the scan is broken");
        Assert.Empty(inSources.Except(rows).Order(StringComparer.Ordinal));
        Assert.Empty(rows.Except(inSources).Order(StringComparer.Ordinal));
        Assert.Empty(rows.GroupBy(r => r, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
    }
}
