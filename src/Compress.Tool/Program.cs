using Compress.Tool;

using var cancellation = ConsoleCancellation.Install();
return CompressCli.Run(args, Console.Out, Console.Error, CliServices.Default, cancellation.Token);
