using System.CommandLine;
using Compress.Architectures;
using Compress.Diagnostics;
using Compress.Onnx;

namespace Compress.Tool.Commands;

/// <summary>
/// <c>dotnet compress new-model ds-cnn|crnn-ctc</c>: writes a randomly initialised (seeded) model of a known
/// architecture as ONNX, to be trained by <c>run</c> with <c>pruning.method: none</c>: the DS-CNN keyword spotter
/// (this is how the sample's dense baseline is made) or the CRNN CTC recogniser (issue 20).
/// </summary>
public static class NewModelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var arch = new Argument<string>("architecture") { Description = "The architecture: ds-cnn (Hello Edge depthwise-separable CNN keyword spotter) or crnn-ctc (Conv + GRU CTC recogniser, per-frame log-probabilities)." };
        arch.AcceptOnlyFromAmong("ds-cnn", "crnn-ctc");
        var classes = new Option<int?>("--classes") { Description = "ds-cnn: number of output classes (required)." };
        var vocab = new Option<int?>("--vocab") { Description = "crnn-ctc: vocabulary size, blank included (default 29: blank, space, a-z, apostrophe)." };
        var frames = new Option<int?>("--frames") { Description = "Feature frames (time); default 49 (ds-cnn, 1 s) or 149 (crnn-ctc, 3 s)." };
        var bins = new Option<int>("--bins") { Description = "Feature bins (mel bins or MFCC coefficients).", DefaultValueFactory = _ => 40 };
        var channels = new Option<int>("--channels") { Description = "Channels of every convolution.", DefaultValueFactory = _ => 64 };
        var blocks = new Option<int?>("--blocks") { Description = "ds-cnn: depthwise-separable blocks (default 4)." };
        var hidden = new Option<int?>("--hidden") { Description = "crnn-ctc: GRU hidden units per direction (default 96)." };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "crnn-ctc: a bidirectional GRU (sees the whole utterance; not for streaming)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 1 };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write the model.", Required = true };
        var verbosity = CommandOptions.VerbosityOption();
        var command = new Command("new-model", "Write a randomly initialised model of a known architecture (train it with `run` and pruning.method: none).")
        {
            arch, classes, vocab, frames, bins, channels, blocks, hidden, bidirectional, seed, outputPath, verbosity,
        };
        command.SetAction(parse =>
        {
            var architecture = parse.GetValue(arch)!;
            var ctc = architecture == "crnn-ctc";
            var problems = new List<Diagnostic>();

            // Options of the other architecture have no effect: say so rather than ignore them.
            var foreign = ctc
                ? new (string Name, bool Given)[] { ("--classes", parse.GetValue(classes) is not null), ("--blocks", parse.GetValue(blocks) is not null) }
                : [("--vocab", parse.GetValue(vocab) is not null), ("--hidden", parse.GetValue(hidden) is not null), ("--bidirectional", parse.GetValue(bidirectional))];
            problems.AddRange(foreign.Where(o => o.Given).Select(o => Diagnostic.Error(SpecMessages.ContradictionCode, $"{o.Name} has no effect on {architecture}: it is an option of {(ctc ? "ds-cnn" : "crnn-ctc")}")));

            var frameCount = parse.GetValue(frames) ?? (ctc ? 149 : 49);
            var sizes = new (string Name, int Value)[] { ("--frames", frameCount), ("--bins", parse.GetValue(bins)), ("--channels", parse.GetValue(channels)) };
            if (ctc)
            {
                sizes = [.. sizes, ("--hidden", parse.GetValue(hidden) ?? 96)];
                if ((parse.GetValue(vocab) ?? 29) < 2)
                {
                    problems.Add(Diagnostic.Error(SpecMessages.OutOfRangeCode, "--vocab must be at least 2 (the blank and one token)"));
                }
            }
            else
            {
                sizes = [.. sizes, ("--blocks", parse.GetValue(blocks) ?? 4)];
                if (parse.GetValue(classes) is not { } count)
                {
                    problems.Add(Diagnostic.Error(SpecMessages.MissingKeyCode, "ds-cnn needs --classes (the number of output classes)"));
                }
                else if (count < 2)
                {
                    problems.Add(Diagnostic.Error(SpecMessages.OutOfRangeCode, "--classes must be at least 2"));
                }
            }

            problems.AddRange(sizes.Where(s => s.Value < 1).Select(s => Diagnostic.Error(SpecMessages.OutOfRangeCode, $"{s.Name} must be positive, not {s.Value}")));
            if (problems.Count > 0)
            {
                CommandOptions.Report(error, problems, parse.GetValue(verbosity));
                return CompressCli.Error;
            }

            var path = Path.GetFullPath(parse.GetValue(outputPath)!);
            if (ctc)
            {
                var crnn = new CrnnCtc(parse.GetValue(vocab) ?? 29, frameCount, parse.GetValue(bins), parse.GetValue(channels), parse.GetValue(hidden) ?? 96, parse.GetValue(bidirectional), parse.GetValue(seed));
                OnnxModelIO.Save(crnn.Build(), path);
                output.WriteLine($"wrote {path}: crnn-ctc, vocabulary {crnn.Vocab}, input [N,1,T,{crnn.Bins}], output [N,ceil(T/2),{crnn.Vocab}] log-probabilities (T = {frameCount} frames gives {crnn.OutputFrames})");
                return CompressCli.Success;
            }

            var model = new DsCnn(parse.GetValue(classes)!.Value, frameCount, parse.GetValue(bins), parse.GetValue(channels), parse.GetValue(blocks) ?? 4, parse.GetValue(seed)).Build();
            OnnxModelIO.Save(model, path);
            output.WriteLine($"wrote {path}: ds-cnn, {parse.GetValue(classes)} classes, input [N,1,{frameCount},{parse.GetValue(bins)}]");
            return CompressCli.Success;
        });
        return command;
    }
}
