using System.CommandLine;
using Compress.Diagnostics;
using Compress.Spec;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary><c>dotnet compress eval MODEL --spec compress.yaml</c>: measures a model with ONNX Runtime on the spec's test split.</summary>
public static class EvalCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error, CliServices services)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to evaluate." };
        var spec = new Option<string>("--spec", "-s") { Description = "The compress.yaml naming the data, labels and front-end.", DefaultValueFactory = _ => SpecParser.DefaultFileName };
        var set = CommandOptions.Set();
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("eval", "Measure a model with ONNX Runtime on the test split of a spec's data (accuracy, macro-F1, per class, confusion; WER, CER and the worst utterances for task: ctc).")
        {
            model, spec, set, verbosity,
        };
        command.SetAction((parse, ct) => Task.FromResult(Execute(parse.GetValue(model)!, parse.GetValue(spec)!, parse.GetValue(set) ?? [], parse.GetValue(verbosity), output, error, services, ct)));
        return command;
    }

    /// <summary>Evaluates and prints the metrics; exit 0 measured, 1 error, 130 cancelled. Diagnostics (warnings too) go to <paramref name="error"/>.</summary>
    public static int Execute(string modelPath, string specPath, string[] overrides, Verbosity verbosity, TextWriter output, TextWriter error, CliServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var spec = CommandOptions.LoadSpec(specPath, overrides, error, verbosity);
        if (spec is null)
        {
            return CompressCli.Error;
        }

        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full))
        {
            CommandOptions.Report(error, [SpecMessages.PathNotFound(new SpecLocation(modelPath, null, null), "MODEL", full)], verbosity);
            return CompressCli.Error;
        }

        if (services.EvaluatorFactory is null)
        {
            CommandOptions.Report(error, [SpecMessages.NotAvailable("model evaluator")], verbosity);
            return CompressCli.Error;
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = services.EvaluatorFactory().Evaluate(full, spec, cancellationToken);
            DiagnosticPrinter.Print(error, result.Diagnostics, verbosity);
            if (result.Value is not { } evaluation)
            {
                return CompressCli.Error;
            }

            EvaluationTable.Write(output, evaluation);
            return CompressCli.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("compress: cancelled");
            return CommandOptions.Cancelled;
        }
        catch (CompressException e)
        {
            CommandOptions.Report(error, e.Diagnostics, verbosity);
            return CompressCli.Error;
        }
    }
}
