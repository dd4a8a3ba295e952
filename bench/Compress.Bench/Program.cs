using System.Diagnostics;
using Compress.Bench;

// Regenerates docs/benchmarks.md. Usage (from the repository root, after a Release build of src/Compress.Tool):
//   dotnet run -c Release --project bench/Compress.Bench -- [all|baseline|models|regularization|lr-schedule|network-latency|quantization|quantization-methods|ctc|training|frontend|build|fuzz|doc] [--key value]...
if (args.Length > 0 && args[0] == "frontend-child")
{
    return FrontEndSection.Child(args);
}

if (args.Length > 1 && args[0] == "onednn-child")
{
    return OneDnnCostBenchmark.Child(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
}

var arguments = BenchArguments.Parse(args);
var log = Console.Out;
var watch = Stopwatch.StartNew();
Directory.CreateDirectory(arguments.Results);
var machineFile = Path.Combine(arguments.Results, "00-machine.md");
if (arguments.Section != "doc" || !File.Exists(machineFile))
{
    File.WriteAllText(machineFile, MachineInfo.Describe());
}

var sections = arguments.Section switch
{
    "all" => new[] { "models", "network-latency", "quantization", "ctc", "training", "frontend", "build", "fuzz", "doc" },
    "baseline" or "models" or "regularization" or "lr-schedule" or "network-latency" or "quantization" or "quantization-methods" or "ctc" or "training" or "frontend" or "build" or "fuzz" or "doc" => [arguments.Section],
    _ => [],
};
if (sections.Length == 0)
{
    Console.Error.WriteLine($"unknown section '{arguments.Section}'; known: all, baseline, models, regularization, lr-schedule, network-latency, quantization, quantization-methods, ctc, training, frontend, build, fuzz, doc");
    return 1;
}

foreach (var section in sections)
{
    log.WriteLine($"== {section} ({watch.Elapsed.TotalMinutes:0.0} min)");
    switch (section)
    {
        case "baseline": BaselineSection.Run(arguments, log); break;
        case "models": ModelsSection.Run(arguments, log); break;
        case "regularization": RegularizationSection.Run(arguments, log); break;
        case "lr-schedule": LrScheduleSection.Run(arguments, log); break;
        case "network-latency": NetworkLatencySection.Run(arguments, log); break;
        case "quantization": QuantizationSection.Run(arguments, log); break;
        case "quantization-methods": MethodQuantizationSection.Run(arguments, log); break;
        case "ctc": CtcSection.Run(arguments, log); break;
        case "training": TrainingSection.Run(arguments, log); break;
        case "frontend": FrontEndSection.Run(arguments, log); break;
        case "build": BuildSection.Run(arguments, log); break;
        case "fuzz": FuzzSection.Run(arguments, log); break;
        default: BenchDocument.Write(arguments, File.ReadAllText(machineFile), Console.Out); break;
    }
}

log.WriteLine($"done in {watch.Elapsed.TotalMinutes:0.0} min");
return 0;
