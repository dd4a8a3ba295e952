using System.Globalization;
using System.Text;
using System.Text.Json;
using Compress.Architectures;
using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Runtime;
using static Compress.Bench.Fragments;
using static TorchSharp.torch;

namespace Compress.Bench;

/// <summary>
/// What the oneDNN guard costs in training speed, and what each way of running libtorch's convolutions computes:
/// child processes (the setting is per process) alternate between oneDNN as libtorch ships it, oneDNN held to AVX2,
/// and oneDNN off (the guard), each timing executor training steps of the sample's DS-CNN and of a time-last TCN
/// (Conv1d 40 → 48, dilated blocks) and running <see cref="ConvolutionSelfTest"/>.
/// </summary>
public static class OneDnnCostBenchmark
{
    private const int Batch = 64;

    /// <summary>The settings compared: name and environment.</summary>
    public static IReadOnlyList<(string Name, Dictionary<string, string> Environment)> Settings { get; } =
    [
        ("oneDNN as shipped (`COMPRESS_ONEDNN=on`)", new() { ["COMPRESS_ONEDNN"] = "on" }),
        ("oneDNN held to AVX2 (`COMPRESS_ONEDNN=on ONEDNN_MAX_CPU_ISA=AVX2`)", new() { ["COMPRESS_ONEDNN"] = "on", ["ONEDNN_MAX_CPU_ISA"] = "AVX2" }),
        ("oneDNN off (the guard, default)", new() { ["COMPRESS_ONEDNN"] = "off" }),
    ];

    /// <summary>The child: times <paramref name="runs"/> steps of each model after 5 warm-up steps and prints one JSON line.</summary>
    public static int Child(int runs)
    {
        var status = TorchRuntime.Initialize();
        set_num_threads(2);
        var dscnn = Steps(new DsCnn(Classes: 12).Build(), [Batch, 1, 49, 40], runs);
        var tcn = Steps(new Tcn().Build(), [Batch, 40, 98], runs);
        var wrong = ConvolutionSelfTest.Run().Count(r => !r.Passed);
        Console.WriteLine(JsonSerializer.Serialize(new { onednn = status.OneDnn.Choice.ToString(), dscnn, tcn, wrong, cases = ConvolutionSelfTest.Cases.Count }));
        return 0;
    }

    /// <summary>Runs <paramref name="rounds"/> rounds of one child per setting and writes the table for the training section.</summary>
    public static string Measure(string benchDll, string repository, int rounds, int runs, TextWriter log)
    {
        var results = Settings.Select(_ => (DsCnn: new List<double>(), Tcn: new List<double>(), Wrong: -1, Cases: 0)).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < Settings.Count; i++)
            {
                var child = ChildProcess.Run("dotnet", [benchDll, "onednn-child", runs.ToString(CultureInfo.InvariantCulture)], repository, Settings[i].Environment);
                var line = child.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{'))
                    ?? throw new InvalidOperationException($"onednn-child failed ({Settings[i].Name}): {child.Output}");
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                results[i].DsCnn.AddRange(root.GetProperty("dscnn").EnumerateArray().Select(e => e.GetDouble()));
                results[i].Tcn.AddRange(root.GetProperty("tcn").EnumerateArray().Select(e => e.GetDouble()));
                results[i].Wrong = root.GetProperty("wrong").GetInt32();
                results[i].Cases = root.GetProperty("cases").GetInt32();
                log.WriteLine($"round {round} {Settings[i].Name}: {line}");
            }
        }

        var dsBase = new Measurement("", results[0].DsCnn).Median;
        var tcnBase = new Measurement("", results[0].Tcn).Median;
        var sb = new StringBuilder();
        sb.AppendLine("| libtorch convolutions | DS-CNN step ms (IQR) | / as shipped | TCN step ms (IQR) | / as shipped | self-test cases wrong |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        for (var i = 0; i < Settings.Count; i++)
        {
            var ds = new Measurement("", results[i].DsCnn);
            var tcn = new Measurement("", results[i].Tcn);
            sb.AppendLine(F($"| {Settings[i].Name} | {ds.Median:0.0} ({ds.P25:0.0}–{ds.P75:0.0}) | {ds.Median / dsBase:0.00}× | {tcn.Median:0.0} ({tcn.P25:0.0}–{tcn.P75:0.0}) | {tcn.Median / tcnBase:0.00}× | {results[i].Wrong} of {results[i].Cases} |"));
        }

        var off = Settings.Count - 1;
        sb.AppendLine();
        sb.AppendLine(F($"Step time with the guard (oneDNN off) / oneDNN as shipped: DS-CNN **{new Measurement("", results[off].DsCnn).Median / dsBase:0.00}×**, TCN **{new Measurement("", results[off].Tcn).Median / tcnBase:0.00}×**."));
        return sb.ToString();
    }

    private static List<double> Steps(ModelProto model, long[] inputShape, int runs)
    {
        manual_seed(1);
        using var executor = OnnxGraphModule.Create(model);
        executor.train();
        var input = randn(inputShape);
        var labels = randint(0, 12, [inputShape[0]]);
        using var optimizer = optim.SGD(executor.parameters(), 0.01, momentum: 0.9);
        return Measurement.Of("", 5, runs, () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(executor.Forward(input), labels);
            loss.backward();
            optimizer.step();
        }).Milliseconds.ToList();
    }
}
