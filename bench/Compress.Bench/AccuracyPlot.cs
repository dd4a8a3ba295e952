using System.Globalization;
using System.Text;

namespace Compress.Bench;

/// <summary>
/// A dependency-free SVG line chart of accuracy against the fraction of weights removed, one series per method,
/// the dense reference as a dashed horizontal line.
/// </summary>
public static class AccuracyPlot
{
    private const int Width = 640;
    private const int Height = 400;
    private const int Left = 60;
    private const int Right = 150;
    private const int Top = 30;
    private const int Bottom = 50;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];

    /// <summary>
    /// <paramref name="series"/>: method name → (x in [0, 1], accuracy in [0, 1]) points; <paramref name="dense"/>
    /// the reference accuracy.
    /// </summary>
    public static string Render(string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, double dense, string xLabel)
    {
        var all = series.SelectMany(s => s.Points.Select(p => p.Y)).Append(dense).ToList();
        var yMin = Math.Max(0, Math.Floor((all.Min() - 0.02) * 20) / 20);
        var yMax = Math.Min(1, Math.Ceiling((all.Max() + 0.01) * 20) / 20);
        if (yMax - yMin < 0.05)
        {
            yMax = Math.Min(1, yMin + 0.05);
        }

        double X(double x) => Left + (x * (Width - Left - Right));
        double Y(double y) => Top + ((yMax - y) / (yMax - yMin) * (Height - Top - Bottom));
        var svg = new StringBuilder();
        void Line(FormattableString s) => svg.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        Line($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Line($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Line($"""<text x="{Width / 2}" y="18" text-anchor="middle" font-size="14">{Escape(title)}</text>""");
        for (var i = 0; i <= 10; i += 2)
        {
            var x = i / 10.0;
            Line($"""<line x1="{X(x):0.0}" y1="{Top}" x2="{X(x):0.0}" y2="{Height - Bottom}" stroke="#ddd"/>""");
            Line($"""<text x="{X(x):0.0}" y="{Height - Bottom + 16}" text-anchor="middle">{x:0.0}</text>""");
        }

        var steps = (int)Math.Round((yMax - yMin) / 0.05);
        var every = Math.Max(1, steps / 8);
        for (var i = 0; i <= steps; i += every)
        {
            var y = yMin + (i * 0.05);
            Line($"""<line x1="{Left}" y1="{Y(y):0.0}" x2="{Width - Right}" y2="{Y(y):0.0}" stroke="#ddd"/>""");
            Line($"""<text x="{Left - 6}" y="{Y(y) + 4:0.0}" text-anchor="end">{y:0.00}</text>""");
        }

        Line($"""<text x="{(Left + Width - Right) / 2}" y="{Height - 12}" text-anchor="middle">{Escape(xLabel)}</text>""");
        Line($"""<text x="16" y="{(Top + Height - Bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 {(Top + Height - Bottom) / 2})">test accuracy (ONNX Runtime)</text>""");
        Line($"""<line x1="{Left}" y1="{Y(dense):0.0}" x2="{Width - Right}" y2="{Y(dense):0.0}" stroke="black" stroke-dasharray="5,4"/>""");
        Line($"""<text x="{Width - Right + 8}" y="{Top + 10}">- - dense {dense:0.000}</text>""");
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = series[s].Points.OrderBy(p => p.X).ToList();
            var path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):0.0},{Y(p.Y):0.0}")));
            Line($"""<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>""");
            foreach (var p in points)
            {
                Line($"""<circle cx="{X(p.X):0.0}" cy="{Y(p.Y):0.0}" r="3.5" fill="{colour}"/>""");
            }

            Line($"""<line x1="{Width - Right + 8}" y1="{Top + 28 + (s * 18)}" x2="{Width - Right + 28}" y2="{Top + 28 + (s * 18)}" stroke="{colour}" stroke-width="2"/>""");
            Line($"""<text x="{Width - Right + 34}" y="{Top + 32 + (s * 18)}">{Escape(series[s].Name)}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
