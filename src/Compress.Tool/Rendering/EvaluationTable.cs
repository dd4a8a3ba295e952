using System.Globalization;
using Compress.Pipeline;

namespace Compress.Tool.Rendering;

/// <summary>Prints what <c>eval</c> measured: the totals, a per-class table and the confusion matrix.</summary>
internal static class EvaluationTable
{
    public static void Write(TextWriter output, ModelEvaluation evaluation)
    {
        var c = CultureInfo.InvariantCulture;
        var m = evaluation.Measurement;
        output.WriteLine(string.Create(c, $"model      {evaluation.ModelPath} ({evaluation.StoredBytes} bytes)"));
        output.WriteLine(string.Create(c, $"clips      {m.Metrics.Count}"));
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
}
