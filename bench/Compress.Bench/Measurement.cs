using System.Diagnostics;
using System.Globalization;

namespace Compress.Bench;

/// <summary>Timings of repeated runs: median and interquartile range, in milliseconds.</summary>
public sealed record Measurement(string Name, IReadOnlyList<double> Milliseconds)
{
    public double Median => Quantile(0.5);

    public double P25 => Quantile(0.25);

    public double P75 => Quantile(0.75);

    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times timed.</summary>
    public static Measurement Of(string name, int warmup, int runs, Action action)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return new Measurement(name, times);
    }

    public double Quantile(double q)
    {
        var sorted = Milliseconds.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Median:0.00} ms (IQR {P25:0.00}–{P75:0.00}, n={Milliseconds.Count})");
}
