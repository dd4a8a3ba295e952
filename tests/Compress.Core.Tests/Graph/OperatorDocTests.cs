using System.Text;
using Compress.Graph;

namespace Compress.Core.Tests.Graph;

/// <summary>docs/operators.md's table of supported operators must be what the registry holds. The test only compares.</summary>
public sealed class OperatorDocTests
{
    private const string Begin = "<!-- operator-table:begin -->";
    private const string End = "<!-- operator-table:end -->";

    /// <summary>The table as it must appear between the markers.</summary>
    public static string ExpectedTable()
    {
        var table = new StringBuilder();
        table.Append("| operator | domain | since versions registered |\n|---|---|---|\n");
        foreach (var group in OperatorRegistry.Default.All.GroupBy(r => (r.Domain, r.OpType)))
        {
            var versions = string.Join(", ", group.Select(r => r.SinceVersion));
            table.Append($"| {group.Key.OpType} | {OperatorRegistry.DisplayDomain(group.Key.Domain)} | {versions} |\n");
        }

        return table.ToString();
    }

    [Fact]
    public void OperatorsDoc_ListsEveryRegisteredOperator()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "operators.md");
        Assert.True(File.Exists(path), $"{path} is missing");
        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} must hold the table between {Begin} and {End}");
        var actual = doc[(start + Begin.Length)..end].Trim('\n') + "\n";
        var expected = ExpectedTable();
        Assert.True(actual == expected, $"docs/operators.md is out of date; replace the table between the markers with:\n{expected}");
    }

    private static string RepositoryRoot() => Compress.Tests.Shared.PackagedTool.RepositoryRoot;
}
