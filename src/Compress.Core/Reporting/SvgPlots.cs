using System.Security;
using System.Text;
using static Compress.Reporting.ReportWriter;

namespace Compress.Reporting;

/// <summary>Small, dependency-free SVG charts for the report (deterministic output for the same data).</summary>
public static class SvgPlots
{
    private const int Width = 720;
    private const int Left = 60;
    private const int Right = 20;
    private const int Top = 30;

    /// <summary>A horizontal bar per layer: its sparsity (0–100%).</summary>
    public static string LayerSparsity(IReadOnlyList<LayerSparsity> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        const int bar = 18;
        var labelWidth = 220;
        var height = Top + (layers.Count * (bar + 6)) + 30;
        var svg = Begin(height, "Sparsity per layer");
        var plot = Width - labelWidth - Right;
        for (var i = 0; i < layers.Count; i++)
        {
            var y = Top + (i * (bar + 6));
            var w = plot * layers[i].Sparsity;
            svg.AppendLine($"<text x=\"{labelWidth - 6}\" y=\"{y + 13}\" text-anchor=\"end\" font-size=\"11\">{Escape(Shorten(layers[i].Name, 34))}</text>");
            svg.AppendLine($"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{N(w, "0.0")}\" height=\"{bar}\" fill=\"#4c78a8\"/>");
            svg.AppendLine($"<text x=\"{N(labelWidth + w + 4, "0.0")}\" y=\"{y + 13}\" font-size=\"11\">{N(layers[i].Sparsity, "0.0%")}</text>");
        }

        return End(svg);
    }

    /// <summary>Validation metric and sparsity along training (both 0–1 on one axis).</summary>
    public static string Schedule(IReadOnlyList<SchedulePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var series = new List<(string Name, string Color, IReadOnlyList<(double X, double Y)> Points)>
        {
            ("sparsity", "#e45756", points.Select(p => ((double)p.Epoch, p.Sparsity)).ToList()),
        };
        var metric = points.Where(p => p.ValidationMetric is not null).Select(p => ((double)p.Epoch, p.ValidationMetric!.Value)).ToList();
        if (metric.Count > 0)
        {
            series.Add(("validation metric", "#4c78a8", metric));
        }

        return LineChart("Metric and sparsity along the schedule", "epoch", series);
    }

    /// <summary>Metric against sparsity for evaluated trials.</summary>
    public static string Trials(IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var groups = trials.GroupBy(t => t.Label).Select((g, i) => (
            Name: g.Key.Length == 0 ? "metric" : g.Key,
            Color: Palette[i % Palette.Length],
            Points: (IReadOnlyList<(double X, double Y)>)g.OrderBy(t => t.Sparsity).Select(t => (t.Sparsity, t.Metric)).ToList())).ToList();
        return LineChart("Metric vs sparsity", "sparsity", groups, xIsFraction: true);
    }

    private static readonly string[] Palette = ["#4c78a8", "#e45756", "#54a24b", "#f58518", "#b279a2", "#72b7b2"];

    private static string LineChart(string title, string xLabel, IReadOnlyList<(string Name, string Color, IReadOnlyList<(double X, double Y)> Points)> series, bool xIsFraction = false)
    {
        const int height = 360;
        const int bottom = 50;
        var svg = Begin(height, title);
        var all = series.SelectMany(s => s.Points).ToList();
        var xMin = xIsFraction ? 0 : all.Min(p => p.X);
        var xMax = xIsFraction ? 1 : Math.Max(all.Max(p => p.X), xMin + 1);
        var plotW = Width - Left - Right;
        var plotH = height - Top - bottom;
        double X(double x) => Left + ((x - xMin) / (xMax - xMin) * plotW);
        double Y(double y) => Top + ((1 - Math.Clamp(y, 0, 1)) * plotH);
        for (var t = 0; t <= 4; t++)
        {
            var y = Y(t / 4.0);
            svg.AppendLine($"<line x1=\"{Left}\" y1=\"{N(y, "0.0")}\" x2=\"{Width - Right}\" y2=\"{N(y, "0.0")}\" stroke=\"#ddd\"/>");
            svg.AppendLine($"<text x=\"{Left - 6}\" y=\"{N(y + 4, "0.0")}\" text-anchor=\"end\" font-size=\"11\">{N(t / 4.0, "0.00")}</text>");
        }

        svg.AppendLine($"<text x=\"{Left + (plotW / 2)}\" y=\"{height - 12}\" text-anchor=\"middle\" font-size=\"12\">{Escape(xLabel)} ({N(xMin, "0.##")} – {N(xMax, "0.##")})</text>");
        var legendY = Top - 10;
        var legendX = Left;
        foreach (var (name, color, points) in series)
        {
            var path = string.Join(" ", points.Select((p, i) => $"{(i == 0 ? "M" : "L")}{N(X(p.X), "0.0")},{N(Y(p.Y), "0.0")}"));
            svg.AppendLine($"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            foreach (var p in points)
            {
                svg.AppendLine($"<circle cx=\"{N(X(p.X), "0.0")}\" cy=\"{N(Y(p.Y), "0.0")}\" r=\"3\" fill=\"{color}\"/>");
            }

            svg.AppendLine($"<text x=\"{legendX}\" y=\"{legendY}\" font-size=\"11\" fill=\"{color}\">■ {Escape(name)}</text>");
            legendX += 20 + (name.Length * 7);
        }

        return End(svg);
    }

    private static StringBuilder Begin(int height, string title) => new StringBuilder()
        .AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\">")
        .AppendLine($"<title>{Escape(title)}</title>")
        .AppendLine($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>")
        .AppendLine($"<text x=\"{Width / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");

    private static string End(StringBuilder svg) => svg.AppendLine("</svg>").ToString();

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Shorten(string text, int max) => text.Length <= max ? text : "…" + text[^(max - 1)..];
}
