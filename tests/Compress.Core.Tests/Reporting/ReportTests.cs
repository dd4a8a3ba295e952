using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Compress.Reporting;

namespace Compress.Core.Tests.Reporting;

public sealed class ReportTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("compress-report-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    internal static CompressionReport Sample() => new()
    {
        ToolVersion = "0.1.0",
        Method = "magnitude",
        Inputs = [new("spec", "compress.yaml", "ab"), new("model", "kws.onnx", "cd")],
        Timings = [new("train", 12.5), new("export", 0.4)],
        Layers = [new("conv1.weight", 100, 80), new("fc.weight", 50, 40)],
        TotalSparsity = 0.8,
        Baseline = new(100, 0.934, 0.93, [new("yes", 50, 0.9, 0.95, 0.92)], [[48, 2], [5, 45]]),
        Compressed = new(100, 0.93, 0.925, [new("yes", 50, 0.9, 0.94, 0.92), new("no", 50, 0.95, 0.91, 0.93)], [[47, 3], [4, 46]]),
        Gate = new("accuracy", 0.9, null, 0.01, null, 0.93, 0.934, true, []),
        Sizes = new(40_000, 12_000, 9_000, "sparse", "brotli"),
        Schedule = [new(0, 0, 1.2, 0.5), new(1, 0.4, 0.8, 0.8), new(2, 0.8, 0.6, 0.93)],
        Trials = [new(0.5, 0.93, true), new(0.8, 0.92, true), new(0.9, 0.85, false)],
    };

    [Fact]
    public void Json_IsVersionedSnakeCaseAndRoundTrips()
    {
        var json = ReportWriter.ToJson(Sample());
        using var document = JsonDocument.Parse(json);
        Assert.Equal(1, document.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(0.8, document.RootElement.GetProperty("total_sparsity").GetDouble());
        Assert.Equal("conv1.weight", document.RootElement.GetProperty("layers")[0].GetProperty("name").GetString());
        Assert.Equal(0.8, document.RootElement.GetProperty("layers")[0].GetProperty("sparsity").GetDouble());
        Assert.Equal(json, ReportWriter.ToJson(ReportWriter.FromJson(json)!));
    }

    [Fact]
    public void Write_ProducesJsonMarkdownAndWellFormedSvgs()
    {
        var written = ReportWriter.Write(Sample(), _temp, stepSummaryPath: "");
        Assert.Equal(
            ["report.json", "report.md", "sparsity-per-layer.svg", "schedule.svg", "metric-vs-sparsity.svg"],
            written.Select(Path.GetFileName));
        foreach (var svg in written.Where(p => p.EndsWith(".svg", StringComparison.Ordinal)))
        {
            Assert.Equal("svg", XDocument.Load(svg).Root!.Name.LocalName);
        }

        var markdown = File.ReadAllText(Path.Combine(_temp, "report.md"));
        Assert.Contains("## Compress report — gate passed", markdown, StringComparison.Ordinal);
        Assert.Contains("| accuracy | 0.934 | 0.930 | -0.004 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `conv1.weight` | 100 | 80 | 80.0% |", markdown, StringComparison.Ordinal);
        Assert.Contains("| embedded (`brotli`) | 9,000 | 22.5% |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void StepSummary_IsAppendedWhenTheVariableIsSet()
    {
        var summary = Path.Combine(_temp, "summary.md");
        File.WriteAllText(summary, "earlier step\n");
        ReportWriter.Write(Sample(), Path.Combine(_temp, "out"), summary);
        var text = File.ReadAllText(summary);
        Assert.StartsWith("earlier step\n## Compress report", text, StringComparison.Ordinal);
    }

    [Fact]
    public void StepSummary_NeverGrowsPastOneMebibyte()
    {
        var summary = Path.Combine(_temp, "summary.md");
        File.WriteAllText(summary, new string('x', ReportWriter.StepSummaryLimit - 2000));
        var huge = string.Join("\n", Enumerable.Range(0, 5000).Select(i => $"| row {i} | ✓ |"));

        ReportWriter.AppendStepSummary(summary, huge);

        var length = new FileInfo(summary).Length;
        Assert.True(length <= ReportWriter.StepSummaryLimit, $"{length} bytes");
        Assert.EndsWith("_(Compress report truncated: the step summary is limited to 1 MiB; see report.md.)_\n", File.ReadAllText(summary, Encoding.UTF8), StringComparison.Ordinal);
    }
}
