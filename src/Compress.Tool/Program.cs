using Compress.Pipeline;
using Compress.Runtime;
using Compress.Tool;

// Composition root: the real pipeline and evaluator behind `run` and `eval`.
var version = EnvironmentReport.VersionOf(typeof(CompressCli).Assembly);
CliServices.Default = new CliServices
{
    RunnerFactory = () => new CompressPipeline(version),
    EvaluatorFactory = () => new ModelEvaluator(),
};

using var cancellation = ConsoleCancellation.Install();
return CompressCli.Run(args, Console.Out, Console.Error, CliServices.Default, cancellation.Token);
