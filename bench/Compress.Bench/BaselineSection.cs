using System.Diagnostics;
using System.Globalization;
using static Compress.Bench.Fragments;

namespace Compress.Bench;

/// <summary>
/// Trains a dense baseline for the sweep when the sample's committed one is not at hand: the sample's
/// model/train-baseline.yaml recipe (random 64-channel DS-CNN, AdamW, lr 0.002, cosine, label smoothing), with
/// <see cref="BenchArguments.BaselineEpochs"/> epochs and one augmented copy per clip so it shares the sweep's
/// feature cache. The model is written to <see cref="BenchArguments.Model"/>.
/// </summary>
public static class BaselineSection
{
    /// <summary>Writes the model and fragment 05-baseline.</summary>
    public static void Run(BenchArguments args, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var folder = Path.Combine(args.Results, "runs", "baseline");
        Directory.CreateDirectory(folder);
        var random = Path.Combine(folder, "kws-random.onnx");
        ChildProcess.RunChecked(args.Tool, ["new-model", "ds-cnn", "--classes", "12", "--frames", "49", "--bins", "40", "--channels", "64", "--blocks", "4", "--seed", "1", "-o", random], folder);
        var recipe = Path.Combine(args.Repository, "samples/AppWithModel/model/train-baseline.yaml");
        var epochs = args.BaselineEpochs.ToString(CultureInfo.InvariantCulture);
        var report = Path.Combine(folder, "report");
        List<string> arguments =
        [
            "run", recipe, "--no-progress", "--output", args.Model, "--report", report,
            "--set", $"model.path={random}", "--set", $"data.root={args.Corpus}", "--set", $"data.cache={Path.Combine(args.Scratch, "sweep-cache")}",
            "--set", "data.augmentation.copies=1", "--set", $"finetune.epochs={epochs}", "--set", "gate=", "--set", "output.storage=dense",
        ];
        Directory.CreateDirectory(Path.GetDirectoryName(args.Model)!);
        var child = ChildProcess.Run(args.Tool, arguments, folder, AccuracySweep.ToolEnvironment);
        File.WriteAllText(Path.Combine(folder, "log.txt"), child.Output);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"baseline training failed ({child.ExitCode}):\n{child.Output}");
        }

        var r = Compress.Reporting.ReportWriter.FromJson(File.ReadAllText(Path.Combine(report, "report.json")));
        log.WriteLine(F($"baseline: accuracy {r?.Compressed?.Accuracy:0.0000} in {child.Seconds:0} s"));
        Write(args, "05-baseline", F($"""
            ## 0. The dense baseline

            The sample's trained model was not available when this run started, so the harness trained its own with the sample's recipe (samples/AppWithModel/model/train-baseline.yaml: a random 64-channel, 4-block DS-CNN, AdamW, lr 0.002, cosine, 1 warm-up epoch, label smoothing 0.05) for **{args.BaselineEpochs} epochs** with one augmented copy per clip (the recipe says 30 epochs and 2 copies; shortened for the time budget). Its test accuracy (ONNX Runtime): **{r?.Compressed?.Accuracy:0.0000}**. Every model below starts from it.
            """), watch.Elapsed.TotalSeconds);
    }
}
