using System.CommandLine;
using System.Globalization;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary>
/// <c>dotnet compress inspect MODEL</c>: versions, inputs and outputs, operators, parameters, prunable weights with
/// their sparsity, unsupported operators; with <c>--check-parity</c> it also runs the model in the executor and in
/// ONNX Runtime on seeded inputs and compares them. Exit 0, or 1 on unsupported operators / a parity failure.
/// </summary>
public static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model (plain, or gzip/Brotli-compressed as embedded)." };
        var parity = new Option<bool>("--check-parity") { Description = "Also run the executor and ONNX Runtime on seeded inputs and compare (max abs error <= 1e-4)." };
        var dims = new Option<string[]>("--dim") { Description = "A value for a symbolic dimension, NAME=VALUE (default 1).", AllowMultipleArgumentsPerToken = false };
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("inspect", "Describe an ONNX model: I/O, operators, parameters, prunable weights and their sparsity.") { model, parity, dims, verbosity };
        command.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(parity), parse.GetValue(dims) ?? [], parse.GetValue(verbosity), output, error));
        return command;
    }

    /// <summary>Inspects; returns the exit code.</summary>
    public static int Execute(string modelPath, bool checkParity, string[] dims, Verbosity verbosity, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        var full = Path.GetFullPath(modelPath);
        try
        {
            var bytes = File.Exists(full) ? ModelEvaluator.Decompressed(File.ReadAllBytes(full)) : null;
            var model = bytes is null ? OnnxModelIO.Load(full) : OnnxModelIO.Load(bytes, full, Path.GetDirectoryName(full));
            output.Write(ModelInspector.Describe(model, full));
            var problems = OnnxGraphModule.FindUnsupportedOperators(model, file: full).ToList();
            if (checkParity && problems.Count == 0)
            {
                var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var d in dims)
                {
                    var eq = d.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || !long.TryParse(d[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 1)
                    {
                        problems.Add(Diagnostic.Error(SpecMessages.BadOverrideCode, $"'--dim {d}' must have the form NAME=POSITIVE_INTEGER"));
                        continue;
                    }

                    sizes[d[..eq]] = v;
                }

                if (problems.Count == 0)
                {
                    var result = ParityCheck.Run(model, sizes, file: full);
                    foreach (var o in result.Outputs)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"parity    {o.Output} [{string.Join(",", o.Shape)}]: max |executor - onnxruntime| = {o.MaxAbsoluteError:0.###e+0} {(o.Passed ? "ok" : "FAILED")}"));
                    }

                    problems.AddRange(result.Diagnostics);
                }
            }

            return CommandOptions.Report(error, problems, verbosity) ? CompressCli.Error : CompressCli.Success;
        }
        catch (CompressException e)
        {
            CommandOptions.Report(error, e.Diagnostics, verbosity);
            return CompressCli.Error;
        }
    }
}
