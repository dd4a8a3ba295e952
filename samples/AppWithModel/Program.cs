using AppWithModel;
using AppWithModel.Commands;
using AppWithModel.Recognition;

// An offline smart-home voice-command recogniser. The keyword-spotting model was compressed (pruned, fine-tuned,
// gated on accuracy) at build time by Compress and embedded in this assembly; nothing is read from disk but audio.
const string Usage = """
    usage: AppWithModel FILE.wav [FILE.wav ...]   recognise the command in each file
           AppWithModel --stdin                   recognise 16-bit little-endian mono PCM at the model's rate from stdin (1 s windows, 0.5 s hop)
           AppWithModel --eval FOLDER|LIST         accuracy, latency and size on labelled clips (FOLDER/LABEL/*.wav or a list file)
           AppWithModel phrases FILE.wav [...]     recognise a spoken smart-home phrase (up to 3 s) in each file
           AppWithModel phrases --eval MANIFEST [SPLIT]
                                                   WER, CER and phrase accuracy on a manifest's split (path,transcript,split; default test)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

if (args[0] == "phrases")
{
    return RunPhrases(args[1..]);
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

static int RunPhrases(string[] args)
{
    if (args.Length == 0 || (args[0] == "--eval" && args.Length is not (2 or 3)))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    var model = EmbeddedModel.LoadPhrases();
    if (model is null)
    {
        Console.Error.WriteLine(EmbeddedModel.PhrasesNotEmbeddedMessage);
        return 3;
    }

    using var recognizer = new PhraseRecognizer(model, PhraseGrammar.Embedded());
    return args[0] == "--eval"
        ? Phrases.Evaluate(recognizer, args[1], args.Length == 3 ? args[2] : "test", Console.Out, Console.Error)
        : Phrases.Run(recognizer, args, Console.Out, Console.Error);
}
