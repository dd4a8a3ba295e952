using System.Globalization;

namespace Compress.Bench;

/// <summary>
/// Command-line settings of the harness (<c>--key value</c> pairs after the section name). Paths are absolute after
/// parsing; every default is what docs/benchmarks.md was generated with unless its command line says otherwise.
/// </summary>
public sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchArguments(string section, Dictionary<string, string> values, string commandLine)
    {
        Section = section;
        _values = values;
        CommandLine = commandLine;
    }

    /// <summary>The section to run (<c>all</c>, <c>accuracy</c>, <c>doc</c>...).</summary>
    public string Section { get; }

    /// <summary>The command as typed, for the document.</summary>
    public string CommandLine { get; }

    /// <summary>The repository root (the folder holding Compress.sln).</summary>
    public string Repository => Path(nameof(Repository), FindRepository());

    /// <summary>The dotnet-compress executable (a Release build of src/Compress.Tool).</summary>
    public string Tool => Path(nameof(Tool), System.IO.Path.Combine(Repository, "src/Compress.Tool/bin/Release/net10.0/dotnet-compress"));

    /// <summary>The dense baseline ONNX model of the sample.</summary>
    public string Model => Path(nameof(Model), System.IO.Path.Combine(Repository, "samples/AppWithModel/model/kws-dense.onnx"));

    /// <summary>The sample's compress.yaml every accuracy point derives from.</summary>
    public string Spec => Path(nameof(Spec), System.IO.Path.Combine(Repository, "samples/AppWithModel/compress.yaml"));

    /// <summary>The sample's CTC phrase spec the <c>ctc</c> section compresses.</summary>
    public string PhraseSpec => Path(nameof(PhraseSpec), System.IO.Path.Combine(Repository, "samples/AppWithModel/phrases.compress.yaml"));

    /// <summary>The sample's dense phrase recogniser (the <c>ctc</c> section's baseline).</summary>
    public string PhraseModel => Path(nameof(PhraseModel), System.IO.Path.Combine(Repository, "samples/AppWithModel/model/phrase-dense.onnx"));

    /// <summary>The phrase corpus (read only; default: the sample's, made by samples/AppWithModel/make-phrases.sh).</summary>
    public string PhraseCorpus => Path(nameof(PhraseCorpus), System.IO.Path.Combine(Repository, "samples/AppWithModel/phrases"));

    /// <summary>The Speech-Commands corpus (read only; default: the sample's, made by samples/AppWithModel/make-data.sh).</summary>
    public string Corpus => Path(nameof(Corpus), System.IO.Path.Combine(Repository, "samples/AppWithModel/data"));

    /// <summary>Feature caches and temporary copies.</summary>
    public string Scratch => Path(nameof(Scratch), "/tmp/bench-cache");

    /// <summary>Where each section writes its markdown fragment and artefacts.</summary>
    public string Results => Path(nameof(Results), "/tmp/bench-results");

    /// <summary>The document to (re)generate.</summary>
    public string Document => Path(nameof(Document), System.IO.Path.Combine(Repository, "docs/benchmarks.md"));

    /// <summary>Fine-tuning epochs of every accuracy point (same budget for all).</summary>
    public int Epochs => Int(nameof(Epochs), 3);

    /// <summary>Epochs of the λ-regularisation phase of l1/l2 (in addition to <see cref="Epochs"/>).</summary>
    public int RegularizationEpochs => Int(nameof(RegularizationEpochs), 0);

    /// <summary>Target sparsities of the <c>regularization</c> section, comma-separated.</summary>
    public IReadOnlyList<double> RegularizationTargets => Text(nameof(RegularizationTargets), "0.8,0.9").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Epochs of the <c>baseline</c> section's dense training.</summary>
    public int BaselineEpochs => Int(nameof(BaselineEpochs), 12);

    /// <summary>Read back training runs already finished with the same command instead of retraining them.</summary>
    public bool Resume => Text(nameof(Resume), "false") == "true";

    /// <summary>Repetitions (seeds) of each training run.</summary>
    public int Repetitions => Int(nameof(Repetitions), 1);

    /// <summary>Single-clip ONNX Runtime runs per model in the latency benchmark.</summary>
    public int LatencyRuns => Int(nameof(LatencyRuns), 300);

    /// <summary>Channels of the small dense DS-CNN of the large-sparse vs small-dense comparison (0 = derive).</summary>
    public int SmallChannels => Int(nameof(SmallChannels), 0);

    /// <summary>Training epochs of the small dense DS-CNN, from random weights (the sparse models start from the trained baseline).</summary>
    public int SmallEpochs => Int(nameof(SmallEpochs), 8);

    /// <summary>Only these sweep points (comma-separated names such as <c>dense,magnitude-90</c>); empty = all.</summary>
    public IReadOnlyList<string> OnlyPoints => Text(nameof(OnlyPoints), "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Clip counts of the front-end benchmark, comma-separated.</summary>
    public IReadOnlyList<int> FrontEndClips => Text(nameof(FrontEndClips), "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Repetitions of each build-cost measurement.</summary>
    public int BuildRuns => Int(nameof(BuildRuns), 2);

    /// <summary>Mutated inputs per format (ONNX, WAV, compress.yaml, .npy) of the <c>fuzz</c> section.</summary>
    public int FuzzCases => Int(nameof(FuzzCases), 10000);

    /// <summary>Run seed of the <c>fuzz</c> section (case <c>i</c> replays from <c>Mutator.CaseSeed(seed, i)</c>); change it to explore new inputs.</summary>
    public int FuzzSeed => Int(nameof(FuzzSeed), 20261206);

    /// <summary>Parses <c>SECTION [--key value]...</c>; keys are the property names in kebab case.</summary>
    public static BenchArguments Parse(string[] args)
    {
        var section = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = section == "all" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? 0 : 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --key value, got '{args[i]}'");
            }

            values[args[i][2..].Replace("-", "", StringComparison.Ordinal)] = args[i + 1];
        }

        var command = "dotnet run -c Release --project bench/Compress.Bench -- " + string.Join(' ', args);
        return new BenchArguments(section, values, command.TrimEnd());
    }

    private string Text(string key, string fallback) => _values.TryGetValue(key, out var v) ? v : fallback;

    private string Path(string key, string fallback) => System.IO.Path.GetFullPath(Text(key, fallback));

    private int Int(string key, int fallback) => int.Parse(Text(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Compress.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
