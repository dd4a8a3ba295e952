using AppWithModel;
using AppWithModel.Commands;
using AppWithModel.Recognition;

// An offline smart-home voice-command recogniser. The keyword-spotting model was compressed (pruned, fine-tuned,
// gated on accuracy) at build time by Compress and embedded in this assembly; nothing is read from disk but audio.
const string Usage = """
    usage: AppWithModel FILE.wav [FILE.wav ...]   recognise the command in each file
           AppWithModel --stdin                   recognise 16-bit little-endian mono PCM at the model's rate from stdin (1 s windows, 0.5 s hop)
           AppWithModel --eval FOLDER|LIST         accuracy, latency and size on labelled clips (FOLDER/LABEL/*.wav or a list file)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

var model = EmbeddedModel.Load();
if (model is null)
{
    Console.Error.WriteLine(EmbeddedModel.NotEmbeddedMessage);
    return 3;
}

using var recognizer = new CommandRecognizer(model);
switch (args[0])
{
    case "--stdin" when args.Length == 1:
        using (var stdin = Console.OpenStandardInput())
        {
            return ListenStdin.Run(recognizer, stdin, Console.Out);
        }

    case "--eval" when args.Length == 2:
        return Evaluate.Run(recognizer, args[1], Console.Out, Console.Error);
    case "--stdin" or "--eval":
        Console.Error.WriteLine(Usage);
        return 2;
    default:
        return ClassifyFiles.Run(recognizer, args, Console.Out, Console.Error);
}
