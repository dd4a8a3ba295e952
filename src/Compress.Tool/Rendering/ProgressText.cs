using System.Globalization;
using Compress.Pipeline;

namespace Compress.Tool.Rendering;

/// <summary>Formats a <see cref="ProgressUpdate"/> as one line: <c>train     epoch 3/20  loss 0.4120  metric 0.913  sparsity 0.420  eta 1:10  message</c>.</summary>
internal static class ProgressText
{
    public static string StageName(PipelineStage stage) => stage.ToString().ToLowerInvariant();

    public static string Format(ProgressUpdate update, bool withStage = true)
    {
        var parts = new List<string>();
        if (withStage)
        {
            parts.Add(StageName(update.Stage).PadRight(9));
        }

        if (update.Epoch is int epoch)
        {
            parts.Add(update.Epochs is int epochs ? F($"epoch {epoch}/{epochs}") : F($"epoch {epoch}"));
        }

        if (update.Done is int done)
        {
            parts.Add(update.Total is int total ? F($"{done}/{total}") : F($"{done}"));
        }

        if (update.Loss is double loss)
        {
            parts.Add(F($"loss {loss:0.0000}"));
        }

        if (update.Metric is double metric)
        {
            parts.Add(F($"metric {metric:0.000}"));
        }

        if (update.Sparsity is double sparsity)
        {
            parts.Add(F($"sparsity {sparsity:0.000}"));
        }

        if (update.Eta is TimeSpan eta)
        {
            parts.Add("eta " + Duration(eta));
        }

        if (update.Message.Length > 0)
        {
            parts.Add(update.Message);
        }

        return string.Join("  ", parts).TrimEnd();
    }

    /// <summary><c>1:05:09</c>, <c>3:07</c> or <c>0:42</c>.</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1
            ? F($"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
            : F($"{span.Minutes}:{span.Seconds:00}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
