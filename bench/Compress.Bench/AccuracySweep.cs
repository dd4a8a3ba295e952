using System.Globalization;
using Compress.Onnx;
using Compress.Reporting;

namespace Compress.Bench;

/// <summary>
/// Runs <c>dotnet-compress run</c> on the sample spec once per sweep point (and repetition), every point with the
/// same fine-tuning budget, data, cache and seed, and collects the report.json of each run.
/// </summary>
public static class AccuracySweep
{
    /// <summary>
    /// The environment of every `dotnet-compress run` the harness starts: `COMPRESS_ONEDNN` is `off` unless the caller
    /// set it. The tool's own default, `auto`, trains with libtorch's oneDNN where its check passes, which changes
    /// float32 rounding from machine to machine and against the runs measured before it existed.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToolEnvironment { get; } = new Dictionary<string, string>
    {
        [Runtime.OneDnnGuard.Variable] = Environment.GetEnvironmentVariable(Runtime.OneDnnGuard.Variable) is { Length: > 0 } set ? set : "off",
    };

    /// <summary>Unstructured methods, as in docs/pruning.md.</summary>
    public static readonly string[] UnstructuredMethods = ["magnitude", "gradient", "l1", "l2"];

    /// <summary>Target sparsities of the unstructured methods.</summary>
    public static readonly double[] UnstructuredTargets = [0.5, 0.8, 0.9];

    /// <summary>Target channel fractions of structured pruning.</summary>
    public static readonly double[] ChannelTargets = [0.25, 0.5];

    /// <summary>The overrides every run shares: data, cache, budget, no gate (every point is measured, none rejected).</summary>
    public static List<string> CommonOverrides(BenchArguments args, int seed) =>
    [
        $"model.path={args.Model}",
        $"data.root={args.Corpus}",
        $"data.cache={Path.Combine(args.Scratch, "sweep-cache")}",
        "gate=",
        $"finetune.epochs={args.Epochs}",
        $"seed={seed}",
        "threads=2",
    ];

    /// <summary>The dense reference and every method × target of the issue.</summary>
    public static List<SweepPoint> Points(BenchArguments args)
    {
        var endEpoch = Math.Max(1, args.Epochs - 1).ToString(CultureInfo.InvariantCulture);
        var points = new List<SweepPoint> { new("dense", "none", 0, ["pruning="]) };
        foreach (var method in UnstructuredMethods)
        {
            foreach (var target in UnstructuredTargets)
            {
                var o = new List<string>
                {
                    $"pruning.method={method}",
                    Invariant($"pruning.target_sparsity={target}"),
                    $"pruning.schedule.end_epoch={endEpoch}",
                    "pruning.exclude=[\"*.dw.weight\"]",
                };
                if (method is "l1" or "l2")
                {
                    o.Add($"pruning.regularization_epochs={args.RegularizationEpochs}");
                    // Stated, not left to the default: --resume compares commands, so a run made under another default λ is retrained.
                    o.Add(Invariant($"pruning.lambda={Compress.Pruning.PruningOptions.DefaultRegularizationLambda}"));
                }

                points.Add(new SweepPoint(Invariant($"{method}-{target * 100:0}"), method, target, o));
            }
        }

        foreach (var target in ChannelTargets)
        {
            points.Add(new SweepPoint(Invariant($"channel-{target * 100:0}"), "channel", target,
                // No exclusions: the sample spec excludes the depthwise weights for unstructured pruning, but a channel
                // group couples each point-wise output with the next depthwise filter, so excluding those freezes the group.
                ["pruning.method=channel", Invariant($"pruning.target_sparsity={target}"), $"pruning.schedule.end_epoch={endEpoch}", "pruning.exclude="]));
        }

        return args.OnlyPoints.Count == 0 ? points : points.Where(p => args.OnlyPoints.Contains(p.Name)).ToList();
    }

    /// <summary>The folder of one run: command, log, model and report.</summary>
    public static string RunFolder(BenchArguments args, SweepPoint point, int seed) => Path.Combine(args.Results, "runs", $"{point.Name}-s{seed}");

    /// <summary>Runs every point on seeds 1 to <c>--repetitions</c> (a seed's runs share data order and augmentation), logging each.</summary>
    public static List<SweepResult> RunSeeds(BenchArguments args, IEnumerable<SweepPoint> points, TextWriter log)
    {
        var results = new List<SweepResult>();
        foreach (var point in points)
        {
            for (var seed = 1; seed <= args.Repetitions; seed++)
            {
                var r = Run(args, point, seed);
                results.Add(r);
                log.WriteLine(Fragments.F($"{point.Name} seed {seed}: accuracy {r.Accuracy:0.0000} sparsity {r.Sparsity:0.000} ({r.WallSeconds:0} s)"));
            }
        }

        return results;
    }

    /// <summary>The accuracy of each seed's run of <paramref name="method"/> at <paramref name="target"/>, by seed.</summary>
    public static SortedDictionary<int, double> BySeed(IEnumerable<SweepResult> results, string method, double target) =>
        new(results.Where(r => r.Point.Method == method && Math.Abs(r.Point.Target - target) < 1e-9).ToDictionary(r => r.Seed, r => r.Accuracy));

    /// <summary>
    /// <paramref name="point"/> with one more setting: method and name get "+<paramref name="suffix"/>" (e.g.
    /// <c>l1+reconstruct-80</c>), so the variant's runs sit beside the point's and are told apart by method.
    /// </summary>
    public static SweepPoint Variant(SweepPoint point, string suffix, string setting) => point with
    {
        Name = point.Name.Replace(point.Method, point.Method + "+" + suffix, StringComparison.Ordinal),
        Method = point.Method + "+" + suffix,
        Overrides = [.. point.Overrides, setting],
    };

    /// <summary><paramref name="runs"/> minus <paramref name="reference"/> on every seed both have, in seed order.</summary>
    public static List<double> PairedDeltas(SortedDictionary<int, double> runs, SortedDictionary<int, double> reference) =>
        [.. runs.Where(p => reference.ContainsKey(p.Key)).Select(p => p.Value - reference[p.Key])];

    /// <summary>Accuracies as the paired sections print them: 4 decimals, comma-separated.</summary>
    public static string Accuracies(IEnumerable<double> values) => string.Join(", ", values.Select(a => Fragments.F($"{a:0.0000}")));

    /// <summary>A difference with its sign, 4 decimals (0 unsigned).</summary>
    public static string Signed(double value) => Fragments.F($"{value:+0.0000;-0.0000;0.0000}");

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values) => new Measurement("", values).Median;

    /// <summary>
    /// Runs <paramref name="point"/> with <paramref name="seed"/> on <paramref name="spec"/> (default: the sample's
    /// compress.yaml); throws when the run fails.
    /// </summary>
    public static SweepResult Run(BenchArguments args, SweepPoint point, int seed, IReadOnlyList<string>? extraOverrides = null, string? spec = null)
    {
        spec ??= args.Spec;
        var folder = RunFolder(args, point, seed);
        var output = Path.Combine(folder, "model.onnx");
        var report = Path.Combine(folder, "report");
        var arguments = new List<string> { "run", spec, "--no-progress", "--output", output, "--report", report };
        var overrides = CommonOverrides(args, seed).Concat(point.Overrides).Concat(extraOverrides ?? []);
        if (point.Model is not null)
        {
            overrides = overrides.Append($"model.path={point.Model}");
        }

        foreach (var o in overrides)
        {
            arguments.Add("--set");
            arguments.Add(o);
        }

        var command = args.Tool + " " + string.Join(' ', arguments.Select(Quote)) + "\n";
        var commandFile = Path.Combine(folder, "command.txt");
        // --resume true: a finished run of exactly this command (report written last) is read back, not retrained. The
        // command names the spec but not what it says, so its SHA-256 must match too (runs from before the hash was
        // written, which have no spec.sha256, are judged by their command alone).
        var specHashFile = Path.Combine(folder, "spec.sha256");
        var specHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(spec)));
        var reuse = args.Resume && File.Exists(commandFile) && File.ReadAllText(commandFile) == command && File.Exists(Path.Combine(report, "report.json")) && File.Exists(output)
            && (!File.Exists(specHashFile) || File.ReadAllText(specHashFile) == specHash);
        var wallFile = Path.Combine(folder, "wall-seconds.txt");
        var child = new ChildResult(0, 0, 0, "");
        if (reuse && File.Exists(wallFile))
        {
            // The run's own wall time, as measured when it ran (a cold run stays cold when read back).
            child = child with { Seconds = double.Parse(File.ReadAllText(wallFile), CultureInfo.InvariantCulture) };
        }
        else if (!reuse)
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            File.WriteAllText(commandFile, command);
            File.WriteAllText(specHashFile, specHash);
            child = ChildProcess.Run(args.Tool, arguments, Path.GetDirectoryName(spec)!, ToolEnvironment);
            File.WriteAllText(Path.Combine(folder, "log.txt"), child.Output);
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"{point.Name} (seed {seed}) failed with exit code {child.ExitCode}; log in {folder}/log.txt:\n{Tail(child.Output)}");
            }

            File.WriteAllText(wallFile, child.Seconds.ToString("R", CultureInfo.InvariantCulture));
        }

        var r = Report(folder);
        var modelPath = PlainOnnx(output, r.Sizes?.Compression ?? "none");
        return new SweepResult(
            point,
            seed,
            r.Baseline?.Accuracy ?? double.NaN,
            r.Compressed?.Accuracy ?? double.NaN,
            r.Compressed?.MacroF1 ?? double.NaN,
            r.TotalSparsity,
            r.Sizes?.DenseOnnxBytes ?? 0,
            r.Sizes?.ExportedOnnxBytes ?? 0,
            r.Sizes?.EmbeddedBytes ?? 0,
            r.Timings.Where(t => t.Stage.Contains("train", StringComparison.OrdinalIgnoreCase)).Sum(t => t.Seconds),
            child.Seconds,
            child.PeakRssBytes,
            NonZeroWeights(modelPath),
            modelPath);
    }

    /// <summary>The report.json a run wrote into <paramref name="folder"/> (<see cref="RunFolder"/>).</summary>
    public static CompressionReport Report(string folder)
    {
        var path = Path.Combine(folder, "report", "report.json");
        return ReportWriter.FromJson(File.ReadAllText(path)) ?? throw new InvalidOperationException($"unreadable {path}");
    }

    /// <summary>Non-zero elements of every initializer whose name ends in <c>weight</c> (dense or sparse storage).</summary>
    public static long NonZeroWeights(string onnxPath)
    {
        Runtime.TorchRuntime.Initialize();
        var model = OnnxModelIO.Load(onnxPath);
        long count = 0;
        using var scope = TorchSharp.torch.NewDisposeScope();
        foreach (var t in model.Graph.Initializer.Where(t => t.Name.EndsWith("weight", StringComparison.Ordinal)))
        {
            count += OnnxTensors.ToTorch(t).count_nonzero().item<long>();
        }

        foreach (var s in model.Graph.SparseInitializer.Where(s => s.Values.Name.EndsWith("weight", StringComparison.Ordinal)))
        {
            count += OnnxTensors.ToTorch(s).count_nonzero().item<long>();
        }

        return count;
    }

    /// <summary>The run's model as a plain ONNX file: <paramref name="output"/> itself, or its decoded copy (compression and filter undone).</summary>
    public static string PlainOnnx(string output, string compression)
    {
        if (compression == "none")
        {
            return output;
        }

        // The pipeline's own reader: undoes gzip/Brotli and the shuffle filter, exactly what the app's accessor does.
        var plain = Path.ChangeExtension(output, ".plain.onnx");
        File.WriteAllBytes(plain, Compress.Pipeline.ModelEvaluator.Decompressed(File.ReadAllBytes(output)));
        return plain;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) || s.Contains('*', StringComparison.Ordinal) ? "'" + s + "'" : s;

    private static string Tail(string s) => s.Length > 3000 ? s[^3000..] : s;
}
