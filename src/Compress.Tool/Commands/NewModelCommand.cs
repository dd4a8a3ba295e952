using System.CommandLine;
using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Onnx;

namespace Compress.Tool.Commands;

/// <summary>
/// <c>dotnet compress new-model ds-cnn</c>: writes a randomly initialised (seeded) DS-CNN keyword spotter as ONNX,
/// to be trained by <c>run</c> with <c>pruning.method: none</c>. This is how the sample's dense baseline is made.
/// </summary>
public static class NewModelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var arch = new Argument<string>("architecture") { Description = "The architecture: ds-cnn (Hello Edge depthwise-separable CNN)." };
        arch.AcceptOnlyFromAmong("ds-cnn");
        var classes = new Option<int>("--classes") { Description = "Number of output classes.", Required = true };
        var frames = new Option<int>("--frames") { Description = "Feature frames (time).", DefaultValueFactory = _ => 49 };
        var bins = new Option<int>("--bins") { Description = "Feature bins (mel bins or MFCC coefficients).", DefaultValueFactory = _ => 40 };
        var channels = new Option<int>("--channels") { Description = "Channels of every layer.", DefaultValueFactory = _ => 64 };
        var blocks = new Option<int>("--blocks") { Description = "Depthwise-separable blocks.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 1 };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write the model.", Required = true };
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("new-model", "Write a randomly initialised model of a known architecture (train it with `run` and pruning.method: none).")
        {
            arch, classes, frames, bins, channels, blocks, seed, outputPath, verbosity,
        };
        command.SetAction(parse =>
        {
            var values = new[] { parse.GetValue(classes), parse.GetValue(frames), parse.GetValue(bins), parse.GetValue(channels), parse.GetValue(blocks) };
            if (values.Any(v => v < 1) || parse.GetValue(classes) < 2)
            {
                CommandOptions.Report(error, [Diagnostic.Error(SpecMessages.OutOfRangeCode, "--classes must be at least 2 and --frames, --bins, --channels, --blocks positive")], parse.GetValue(verbosity));
                return CompressCli.Error;
            }

            var model = new DsCnn(parse.GetValue(classes), parse.GetValue(frames), parse.GetValue(bins), parse.GetValue(channels), parse.GetValue(blocks), parse.GetValue(seed)).Build();
            var path = Path.GetFullPath(parse.GetValue(outputPath)!);
            OnnxModelIO.Save(model, path);
            output.WriteLine($"wrote {path}: ds-cnn, {parse.GetValue(classes)} classes, input [N,1,{parse.GetValue(frames)},{parse.GetValue(bins)}]");
            return CompressCli.Success;
        });
        return command;
    }
}
