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

        AppendForms(args, sb, log);
        Write(args, "60-frontend", sb.ToString(), watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The two forms of the same front end: the Conv1d with the windowed DFT basis (every model before graph version 2;
    /// now only a prime n_fft) and the factored DFT — file size, ONNX Runtime single-clip latency (interleaved, one
    /// thread) and the executor's batch forward (interleaved, torch's threads).
    /// </summary>
    private static void AppendForms(BenchArguments args, StringBuilder sb, TextWriter log)
    {
        var forms = new (string Name, FrontEndForm Form)[] { ("Conv1d DFT basis, stored filterbank (before)", FrontEndForm.Conv), ("factored DFT, built filterbank (now)", FrontEndForm.Auto) };
        Directory.CreateDirectory(args.Scratch);
        var files = forms.Select(f =>
        {
            var path = Path.Combine(args.Scratch, F($"frontend-{f.Form}.onnx"));
            File.WriteAllBytes(path, Compress.Onnx.OnnxModelIO.Save(Before(f.Form)));
            return (f.Name, Path: path);
        }).ToList();
        var latency = LatencyBenchmark.Run(files, args.LatencyRuns);
        var executor = ExecutorForward(forms.Select(f => Before(f.Form)).ToList(), batch: 64, rounds: 20);
        sb.AppendLine();
        sb.AppendLine("### The front end's two forms");
        sb.AppendLine();
        sb.AppendLine(F($"The sample's front end alone (1 s PCM → 49 × 40 log-mel) as `features.prepend` wrote it before (a Conv1d whose 514 output channels are the windowed DFT basis, built from tables at load, and the stored [514, 40] mel filterbank) and now (a factored DFT: frames sliced from hop-long chunks, a [32, 64] and a [32, 18] DFT MatMul with element-wise twiddles, the filterbank built from its 40 filters' edges; docs/data.md). ONNX Runtime: one clip per call, one thread, {args.LatencyRuns} interleaved rounds after 30 warm-up rounds. Executor: a batch of 64 clips per forward (no gradient, 2 torch threads), 20 interleaved rounds after 3 warm-up rounds."));
        sb.AppendLine();
        sb.AppendLine("| form | file bytes | ORT ms per clip (IQR) | ORT / Conv1d | executor ms per 64 clips (IQR) | executor / Conv1d |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        for (var i = 0; i < forms.Length; i++)
        {
            var ort = latency[i].Times;
            var ex = executor[i];
            sb.AppendLine(F($"| {forms[i].Name} | {new FileInfo(files[i].Path).Length} | {ort.Median:0.000} ({ort.P25:0.000}–{ort.P75:0.000}) | {ort.Median / latency[0].Times.Median:0.00}× | {ex.Median:0.0} ({ex.P25:0.0}–{ex.P75:0.0}) | {ex.Median / executor[0].Median:0.00}× |"));
            log.WriteLine(F($"front-end form {forms[i].Name}: ORT {ort.Median:0.000} ms, executor {ex.Median:0.0} ms"));
        }
    }

    /// <summary>
    /// The front end in <paramref name="form"/>; the Conv1d form with the mel filterbank stored as a [2K, M] constant,
    /// as it was before the filterbank was built by nodes, so the size column compares the files users got.
    /// </summary>
    private static Compress.Onnx.Proto.ModelProto Before(FrontEndForm form)
    {
        var model = FrontEndGraph.Build(SampleFrontEnd, form);
        if (form != FrontEndForm.Conv)
        {
            return model;
        }

        var mel = FrontEndMatrices.MelFilterbank(SampleFrontEnd);
        var stacked = new float[2 * mel.Length];
        mel.CopyTo(stacked, 0);
        mel.CopyTo(stacked, mel.Length);
        var matmul = model.Graph.Node.Single(n => n.Name == "frontend/Mel");
        var bank = new Compress.Onnx.Proto.NodeProto { OpType = "Constant", Name = "frontend/stored_mel_const" };
        bank.Output.Add("frontend/stored_mel");
        bank.Attribute.Add(Compress.Onnx.ModelBuilder.Attribute("value", Compress.Onnx.ModelBuilder.Tensor("", stacked, 2 * SampleFrontEnd.FrequencyBins, SampleFrontEnd.MelBins)));
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(matmul), bank);
        matmul.Input[1] = "frontend/stored_mel";

        // Drop the nodes that built the filterbank, now unread.
        for (var removed = true; removed;)
        {
            var read = model.Graph.Node.SelectMany(n => n.Input).Concat(model.Graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
            var unread = model.Graph.Node.Where(n => n.Output.All(o => !read.Contains(o))).ToList();
            unread.ForEach(n => model.Graph.Node.Remove(n));
            removed = unread.Count > 0;
        }

        return model;
    }

    /// <summary>Executor forward time of each model on the same seeded batch, interleaved round by round.</summary>
    private static List<Measurement> ExecutorForward(IReadOnlyList<Compress.Onnx.Proto.ModelProto> models, int batch, int rounds)
    {
        Compress.Runtime.TorchRuntime.Initialize();
        var random = new Random(1);
        var pcm = new float[batch * SampleFrontEnd.Samples];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (float)((random.NextDouble() * 2) - 1) * 0.1f;
        }

        var modules = models.Select(m => Compress.Graph.OnnxGraphModule.Create(m)).ToList();
        var times = models.Select(_ => new List<double>()).ToList();
        try
        {
            using var noGrad = TorchSharp.torch.no_grad();
            using var input = TorchSharp.torch.tensor(pcm, [batch, SampleFrontEnd.Samples]);
            for (var round = -3; round < rounds; round++)
            {
                for (var k = 0; k < modules.Count; k++)
                {
                    var index = (k + Math.Max(0, round)) % modules.Count;
                    var timer = Stopwatch.StartNew();
                    using (var scope = TorchSharp.torch.NewDisposeScope())
                    {
                        modules[index].eval();
                        _ = modules[index].Forward(input).sum().item<float>();
                    }

                    if (round >= 0)
                    {
                        times[index].Add(timer.Elapsed.TotalMilliseconds);
                    }
                }
            }
        }
        finally
        {
            modules.ForEach(m => m.Dispose());
        }

        return [.. times.Select((t, i) => new Measurement(models[i].Graph.Name, t))];
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
