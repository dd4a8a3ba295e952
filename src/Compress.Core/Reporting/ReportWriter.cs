using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compress.IO;

namespace Compress.Reporting;

/// <summary>
/// Writes a <see cref="CompressionReport"/> as <c>report.json</c>, <c>report.md</c> and SVG plots into a folder
/// (each file atomically), and appends the Markdown to <c>$GITHUB_STEP_SUMMARY</c> when that variable is set.
/// </summary>
public static class ReportWriter
{
    /// <summary>GitHub rejects a step summary larger than 1 MiB.</summary>
    public const int StepSummaryLimit = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises the report as JSON (snake_case keys).</summary>
    public static string ToJson(CompressionReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static CompressionReport? FromJson(string json) => JsonSerializer.Deserialize<CompressionReport>(json, Json);

    /// <summary>Writes every report file into <paramref name="folder"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(CompressionReport report, string folder, string? stepSummaryPath = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var written = new List<string>();
        void Emit(string name, string content)
        {
            var path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, content);
            written.Add(path);
        }

        Emit("report.json", ToJson(report));
        var markdown = MarkdownReport.Render(report);
        Emit("report.md", markdown);
        if (report.Layers.Count > 0)
        {
            Emit("sparsity-per-layer.svg", SvgPlots.LayerSparsity(report.Layers));
        }

        if (report.Schedule.Count > 1)
        {
            Emit("schedule.svg", SvgPlots.Schedule(report.Schedule));
        }

        if (report.Trials.Count > 1)
        {
            Emit("metric-vs-sparsity.svg", SvgPlots.Trials(report.Trials));
        }

        stepSummaryPath ??= Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
        if (!string.IsNullOrEmpty(stepSummaryPath))
        {
            AppendStepSummary(stepSummaryPath, markdown);
        }

        return written;
    }

    /// <summary>Appends <paramref name="markdown"/> to the step summary without letting it pass <see cref="StepSummaryLimit"/>.</summary>
    public static void AppendStepSummary(string path, string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var used = File.Exists(path) ? new FileInfo(path).Length : 0;
        var bytes = Encoding.UTF8.GetBytes(markdown + "\n");
        var room = StepSummaryLimit - used;
        if (bytes.Length > room)
        {
            const string note = "\n\n_(Compress report truncated: the step summary is limited to 1 MiB; see report.md.)_\n";
            var noteBytes = Encoding.UTF8.GetBytes(note);
            var keep = (int)Math.Max(0, room - noteBytes.Length);
            if (keep == 0)
            {
                return;
            }

            // Cut on a line boundary so no table row or UTF-8 sequence is split.
            var text = markdown;
            while (Encoding.UTF8.GetByteCount(text) > keep)
            {
                var cut = text.LastIndexOf('\n', Math.Max(0, text.Length - 2));
                text = cut <= 0 ? "" : text[..cut];
            }

            bytes = Encoding.UTF8.GetBytes(text + note);
        }

        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(bytes);
    }

    internal static string N(double value, string format = "0.000") => value.ToString(format, CultureInfo.InvariantCulture);
}
