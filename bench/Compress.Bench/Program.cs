using Compress.Bench;

// Benchmarks that regenerate docs/benchmarks.md sections. Usage: dotnet run -c Release --project bench/Compress.Bench -- executor
var which = args.Length > 0 ? args[0] : "executor";
switch (which)
{
    case "executor":
        Console.WriteLine(ExecutorTrainingBenchmark.Run());
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{which}'; known: executor");
        return 1;
}
