using System.Globalization;
using Compress.Pipeline;

namespace Compress.Tool.Rendering;

/// <summary>
/// Prints what <c>eval</c> measured: the totals, a per-class table and the confusion matrix — or, for a CTC recogniser,
/// WER and CER with their edit counts and the worst utterances.
/// </summary>
internal static class EvaluationTable
{
    /// <summary>How many of a recogniser's worst utterances are printed.</summary>
    public const int WorstUtterances = 10;

    public static void Write(TextWriter output, ModelEvaluation evaluation)
    {
        var c = CultureInfo.InvariantCulture;
        var m = evaluation.Measurement;
        output.WriteLine(string.Create(c, $"model      {evaluation.ModelPath} ({evaluation.StoredBytes} bytes)"));
        output.WriteLine(string.Create(c, $"clips      {m.Metrics.Count}"));
        if (m.Transcription is { } t)
        {
            WriteTranscription(output, t, m.MedianLatencyMs);
            return;
        }

        output.WriteLine(string.Create(c, $"accuracy   {m.Metrics.Accuracy:0.0000}"));
        output.WriteLine(string.Create(c, $"macro_f1   {m.Metrics.MacroF1:0.0000}"));
        output.WriteLine(string.Create(c, $"latency    {m.MedianLatencyMs:0.000} ms/clip (median over batches)"));
        output.WriteLine();
        var width = Math.Max(5, m.Metrics.PerClass.Max(p => p.Label.Length));
        output.WriteLine($"{"label".PadRight(width)}  support  precision  recall     f1");
        foreach (var p in m.Metrics.PerClass)
        {
            output.WriteLine(string.Create(c, $"{p.Label.PadRight(width)}  {p.Support,7}  {p.Precision,9:0.000}  {p.Recall,6:0.000}  {p.F1,5:0.000}"));
        }

        output.WriteLine();
        output.WriteLine("confusion (rows: truth, columns: predicted, in label order)");
        foreach (var row in m.Metrics.Confusion)
        {
            output.WriteLine(string.Join(' ', row.Select(v => v.ToString(c).PadLeft(5))));
        }
    }

    private static void WriteTranscription(TextWriter output, Evaluation.TranscriptionMetrics t, double latencyMs)
    {
        var c = CultureInfo.InvariantCulture;
        static string Counts(Text.EditCounts e) => string.Create(CultureInfo.InvariantCulture, $"{e.Substitutions} sub, {e.Deletions} del, {e.Insertions} ins / {e.Reference}");
        output.WriteLine($"decoder    {t.Decoder}");
        output.WriteLine(string.Create(c, $"wer        {t.Wer:0.0000}  ({Counts(t.Words)} words)"));
        output.WriteLine(string.Create(c, $"cer        {t.Cer:0.0000}  ({Counts(t.Characters)} characters)"));
        output.WriteLine(string.Create(c, $"exact      {t.SentenceAccuracy:0.0000}  (utterances decoded exactly)"));
        output.WriteLine(string.Create(c, $"latency    {latencyMs:0.000} ms/clip (median over batches)"));
        var worst = t.Worst(WorstUtterances);
        if (worst.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(string.Create(c, $"worst {worst.Count} utterances (word errors, char errors: reference => decoded)"));
        foreach (var u in worst)
        {
            output.WriteLine(string.Create(c, $"{u.Words.Errors,3} {u.Characters.Errors,4}  {u.Reference} => {(u.Hypothesis.Length == 0 ? "(nothing)" : u.Hypothesis)}"));
        }
    }
}
