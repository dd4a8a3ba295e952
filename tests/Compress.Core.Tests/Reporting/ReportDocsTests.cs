using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compress.Reporting;

namespace Compress.Core.Tests.Reporting;

/// <summary>docs/report.md's schema table is a copy of <see cref="CompressionReport"/>: every top-level key (as written: snake_case, or a property's own JSON name) is documented.</summary>
public sealed class ReportDocsTests
{
    [Fact]
    public void EveryReportJsonKey_HasARowInDocsReportMd()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "report.md"));

        var missing = typeof(CompressionReport).GetProperties()
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))
            .Where(key => !docs.Contains($"| `{key}`", StringComparison.Ordinal) && !docs.Contains($"`{key}[]`", StringComparison.Ordinal) && !docs.Contains($", `{key}`", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Warnings_AreListedInReportMd()
    {
        var report = ReportTests.Sample() with { Warnings = ["compress.yaml(4,3): warning CMP3105: skipped 1 bad file(s) of 9 (on_bad_file: skip)"] };

        Assert.Contains("Warnings (1):\n- `compress.yaml(4,3): warning CMP3105: skipped 1 bad file(s) of 9 (on_bad_file: skip)`\n", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Compress.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Compress.sln not found above " + AppContext.BaseDirectory);
    }
}
