using System.Globalization;
using AppWithModel.Recognition;

namespace AppWithModel.Commands;

/// <summary>
/// <c>AppWithModel phrases FILE.wav...</c>: one line per file, <c>FILE: "decoded text" -> phrase -> action</c>; and
/// <c>AppWithModel phrases --eval MANIFEST [SPLIT]</c>: word and character error rates of the greedy text and the word
/// error rate of the most probable phrase against
/// the manifest's transcripts (<c>path,transcript,split</c>, as make-phrases.sh writes it; split <c>test</c> by
/// default, <c>all</c> for every row), the share of clips mapped to their own phrase, latency and model size.
/// </summary>
public static class Phrases
{
    /// <summary>Recognises each file; returns 0, or 1 when a file could not be read (the others are still recognised).</summary>
    public static int Run(PhraseRecognizer recognizer, IReadOnlyList<string> files, TextWriter output, TextWriter error)
    {
        var status = 0;
        foreach (var file in files)
        {
            try
            {
                var result = recognizer.RecognizeFile(file);
                output.WriteLine($"{file}: \"{result.Text}\" -> {result.Match.Phrase ?? "?"} -> {result.Action}");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"AppWithModel: {e.Message}");
                status = 1;
            }
        }

        return status;
    }

    /// <summary>Evaluates the manifest's clips of one split; returns 0, or 1 when there was nothing to evaluate or a clip could not be read.</summary>
    public static int Evaluate(PhraseRecognizer recognizer, string manifest, string split, TextWriter output, TextWriter error)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var rows = File.ReadLines(manifest)
            .Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f.Length >= 2 && (split == "all" || (f.Length >= 3 && f[2].Trim() == split)))
            .ToList();
        int wordErrors = 0, grammarWordErrors = 0, words = 0, charErrors = 0, chars = 0, exact = 0, matched = 0, closest = 0, notUnderstood = 0, clips = 0, unreadable = 0;
        var latency = 0.0;
        foreach (var row in rows)
        {
            PhraseResult result;
            try
            {
                result = recognizer.RecognizeFile(Path.Combine(root, row[0]));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"AppWithModel: {e.Message}");
                unreadable++;
                continue;
            }

            var reference = string.Join(' ', PhraseGrammar.Words(row[1]));
            wordErrors += PhraseGrammar.EditDistance(PhraseGrammar.Words(result.Text), PhraseGrammar.Words(reference));
            grammarWordErrors += PhraseGrammar.EditDistance(PhraseGrammar.Words(result.Match.Closest), PhraseGrammar.Words(reference));
            words += PhraseGrammar.Words(reference).Length;
            charErrors += PhraseGrammar.EditDistance(result.Text.ToCharArray(), reference.ToCharArray());
            chars += reference.Length;
            exact += result.Text == reference ? 1 : 0;
            matched += result.Match.Phrase == reference ? 1 : 0;
            closest += result.Match.Closest == reference ? 1 : 0;
            notUnderstood += result.Match.Phrase is null ? 1 : 0;
            latency += result.LatencyMilliseconds;
            clips++;
        }

        if (clips == 0)
        {
            error.WriteLine($"AppWithModel: no readable clip of split '{split}' in {manifest}.");
            return 1;
        }

        var model = recognizer.Model;
        var f = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(f, $"clips: {clips} ({split})"));
        output.WriteLine(string.Create(f, $"WER: {(double)wordErrors / words:0.0000} ({wordErrors}/{words} words)"));
        output.WriteLine(string.Create(f, $"CER: {(double)charErrors / chars:0.0000} ({charErrors}/{chars} characters)"));
        output.WriteLine(string.Create(f, $"WER of the most probable phrase (ctc.grammar, as the build's gate): {(double)grammarWordErrors / words:0.0000} ({grammarWordErrors}/{words} words)"));
        output.WriteLine(string.Create(f, $"decoded exactly: {(double)exact / clips:0.0000} ({exact}/{clips})"));
        output.WriteLine(string.Create(f, $"right phrase after the grammar: {(double)matched / clips:0.0000} ({matched}/{clips}), not understood: {notUnderstood} (most probable phrase right: {closest})"));
        output.WriteLine(string.Create(f, $"mean latency: {latency / clips:0.00} ms per clip"));
        output.WriteLine(string.Create(f, $"model: {model.ResourceName}, {model.EmbeddedBytes} bytes embedded ({model.Compression}), {model.OnnxBytes.Length} bytes ONNX"));
        return unreadable > 0 ? 1 : 0;
    }
}
