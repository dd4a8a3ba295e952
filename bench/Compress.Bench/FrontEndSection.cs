using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Compress.Data;
using Compress.Features;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Front-end throughput and peak memory: <see cref="FeatureCache.Build(IReadOnlyList{AudioItem}, FrontEndOptions, string, AugmentationOptions?, int, IProgress{ValueTuple{int, int}}?, CancellationToken, IReadOnlyList{string}?, IReadOnlyDictionary{string, string}?)"/>
/// of N clips (the corpus's keyword clips, cycled when N exceeds them) with the sample's log-mel front-end and no
/// augmentation, in a child process per measurement so GNU time reports that process's peak RSS alone.
/// </summary>
public static class FrontEndSection
{
    /// <summary>The sample's front-end: 1 s at 16 kHz, 30 ms window, 20 ms hop, 512-point FFT, 40 mel bins.</summary>
    public static readonly FrontEndOptions SampleFrontEnd = new(FrontEndKind.LogMel, 16000, 1.0, 30, 20, 512, 40);

    /// <summary>Writes fragment 60-frontend; each clip count is built cold, then reused, each in its own process.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var selfArgs = self.EndsWith("dotnet", StringComparison.Ordinal) ? new List<string> { typeof(FrontEndSection).Assembly.Location } : [];
        var sb = new StringBuilder();
        sb.AppendLine("## 6. Front-end throughput and peak memory");
        sb.AppendLine();
        sb.AppendLine(F($"`FeatureCache.Build` of N clips with the sample's log-mel front-end (49 × 40), no augmentation, cache on local disk (`{args.Scratch}`); the corpus's {Clips(args.Corpus).Count} keyword clips are cycled to reach N. *build*: a cold cache (the file is deleted first), computing and writing every item; *reuse*: a second process opening the cache (hash every clip, map the file) and reading every item. Peak RSS is the child process's maximum resident set from GNU time, libtorch included; for *reuse* it includes the pages of the memory-mapped cache file read in (page cache, shared and reclaimable, not heap). One run each."));
        sb.AppendLine();
        sb.AppendLine("| clips | build s | clips/s | peak RSS (build) | cache file | reuse s | peak RSS (reuse) |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in args.FrontEndClips)
        {
            var cache = Path.Combine(args.Scratch, F($"frontend-{n}"));
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }

            var child = new List<string>(selfArgs) { "frontend-child", "--clips", n.ToString(CultureInfo.InvariantCulture), "--cache", cache, "--corpus", args.Corpus };
            var build = ChildProcess.RunChecked(self, child, args.Repository);
            var reuse = ChildProcess.RunChecked(self, [.. child, "--read", "true"], args.Repository);
            var b = Parse(build.Output);
            var r = Parse(reuse.Output);
            var bytes = Directory.GetFiles(cache).Sum(f => new FileInfo(f).Length);
            log.WriteLine(F($"front-end {n}: build {b.Seconds:0.0} s, reuse {r.Seconds:0.0} s"));
            sb.AppendLine(F($"| {n} | {b.Seconds:0.0} | {n / b.Seconds:0} | {build.PeakRssBytes / 1e6:0} MB | {bytes / 1e6:0} MB | {r.Seconds:0.0} | {reuse.PeakRssBytes / 1e6:0} MB |"));
            if (!b.Reused && r.Reused)
            {
                continue;
            }

            throw new InvalidOperationException($"front-end {n}: expected a cold build then a reuse, got reused={b.Reused}/{r.Reused}");
        }

        Write(args, "60-frontend", sb.ToString(), watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The child: builds (or reuses) the cache of <c>--clips</c> N clips, with <c>--read</c> reads every item, and
    /// prints {seconds, reused} as JSON.
    /// </summary>
    public static int Child(string[] argv)
    {
        string Get(string key) => argv[Array.IndexOf(argv, key) + 1];
        var n = int.Parse(Get("--clips"), CultureInfo.InvariantCulture);
        var clips = Clips(Get("--corpus"));
        var items = Enumerable.Range(0, n).Select(i => clips[i % clips.Count]).ToList();
        var watch = Stopwatch.StartNew();
        using var set = FeatureCache.Build(items, SampleFrontEnd, Get("--cache"), augmentation: null, seed: 1);
        var buffer = new float[49 * 40];
        double sum = 0;
        var read = Array.IndexOf(argv, "--read") >= 0;
        for (var i = 0; read && i < set.Count; i++)
        {
            set.ReadFeatures(i, buffer);
            sum += buffer[0];
        }

        Console.WriteLine(JsonSerializer.Serialize(new { seconds = watch.Elapsed.TotalSeconds, reused = set.Reused, checksum = sum }));
        return 0;
    }

    private static (double Seconds, bool Reused) Parse(string output)
    {
        var line = output.Split('\n').First(l => l.StartsWith('{'));
        using var json = JsonDocument.Parse(line);
        return (json.RootElement.GetProperty("seconds").GetDouble(), json.RootElement.GetProperty("reused").GetBoolean());
    }

    private static List<AudioItem> Clips(string corpus)
    {
        string[] words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];
        return words.SelectMany((w, label) => Directory.GetFiles(Path.Combine(corpus, w), "*.wav").Order(StringComparer.Ordinal).Select(p => new AudioItem(p, label, w))).ToList();
    }
}
