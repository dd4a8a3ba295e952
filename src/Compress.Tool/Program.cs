using Compress.Pipeline;
using Compress.Runtime;
using Compress.Tool;

// Composition root: the real pipeline and evaluator behind `run` and `eval`.
// This process runs one job, so libtorch's process-wide oneDNN switch may follow that job's model: an unset
// COMPRESS_ONEDNN means `auto` here (on while fine-tuning a model whose convolution shapes pass a check against
// float64, off otherwise), while the library's default stays `off`.
OneDnnGuard.Unset = OneDnnGuardChoice.Auto;
var version = EnvironmentReport.VersionOf(typeof(CompressCli).Assembly);
CliServices.Default = new CliServices
{
    RunnerFactory = () => new CompressPipeline(version),
    EvaluatorFactory = () => new ModelEvaluator(),
};

using var cancellation = ConsoleCancellation.Install();
return CompressCli.Run(args, Console.Out, Console.Error, CliServices.Default, cancellation.Token);
