using System.CommandLine;
using Compress.Diagnostics;
using Compress.IO;
using Compress.Spec;
using Compress.Tool.Rendering;

namespace Compress.Tool.Commands;

/// <summary><c>dotnet compress init --model M --data D</c>: scaffolds a commented compress.yaml (never overwrites without <c>--force</c>).</summary>
public static class InitCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model", "-m") { Description = "The ONNX model to compress.", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "The data: a folder (<label>/*.wav), a .csv/.tsv manifest (path,label[,split]) or a .npy features array (labels found next to it).", Required = true };
        var path = new Option<string>("--output", "-o") { Description = "Where to write the spec.", DefaultValueFactory = _ => SpecParser.DefaultFileName };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing spec." };
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("init", "Write a commented compress.yaml for a model and a data folder: labels from the folders, front-end from the model's input.")
        {
            model, data, path, force, verbosity,
        };
        command.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(path)!, parse.GetValue(force), parse.GetValue(verbosity), output, error));
        return command;
    }

    /// <summary>Writes the spec; returns the exit code.</summary>
    public static int Execute(string modelPath, string dataFolder, string specPath, bool force, Verbosity verbosity, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (File.Exists(specPath) && !force)
        {
            CommandOptions.Report(error, [SpecMessages.SpecExists(specPath)], verbosity);
            return CompressCli.Error;
        }

        var scaffold = SpecTemplate.Create(specPath, modelPath, dataFolder);
        if (CommandOptions.Report(error, scaffold.Diagnostics, verbosity) || scaffold.Text is null)
        {
            return CompressCli.Error;
        }

        // What init writes must be a spec the parser accepts as is.
        var check = SpecParser.ParseText(scaffold.Text, specPath);
        if (CommandOptions.Report(error, check.Diagnostics, verbosity))
        {
            return CompressCli.Error;
        }

        AtomicFile.WriteAllText(specPath, scaffold.Text);
        if (verbosity >= Verbosity.Minimal)
        {
            var spec = check.Spec!;
            output.WriteLine($"wrote {specPath}: {spec.Labels.Count} labels ({string.Join(", ", spec.Labels)}), features {SpecNames.Of(spec.Features.Kind)}");
            output.WriteLine($"next: dotnet compress validate {specPath}");
        }

        return CompressCli.Success;
    }
}
