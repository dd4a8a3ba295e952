using System.Globalization;
using AppWithModel.Recognition;

namespace AppWithModel.Commands;

/// <summary>
/// <c>AppWithModel --eval FOLDER|LIST</c>: classifies every labelled clip and prints, one per line,
/// <c>clips: N</c>, <c>accuracy: 0.9340 (467/500)</c>, <c>mean latency: 1.23 ms per clip</c> (ONNX Runtime, one
/// thread, decode excluded), <c>model: NAME, B bytes embedded (COMPRESSION), O bytes ONNX</c>, then per-label
/// accuracy. Clips whose label the model does not have count as <c>_unknown_</c> when the model has that label,
/// and are skipped (and counted) otherwise.
/// </summary>
public static class Evaluate
{
    /// <summary>Returns 0, or 1 when there was nothing to evaluate or a clip could not be read.</summary>
    public static int Run(CommandRecognizer recognizer, string folderOrList, TextWriter output, TextWriter error)
    {
        var model = recognizer.Model;
        var labels = new HashSet<string>(model.Labels, StringComparer.Ordinal);
        var clips = LabelledClips.From(folderOrList, labels);
        var perLabel = model.Labels.ToDictionary(l => l, _ => (Correct: 0, Total: 0), StringComparer.Ordinal);
        int correct = 0, total = 0, skipped = 0, unreadable = 0;
        var latency = 0.0;
        foreach (var clip in clips)
        {
            var truth = labels.Contains(clip.Label) ? clip.Label : labels.Contains("_unknown_") ? "_unknown_" : null;
            if (truth is null)
            {
                skipped++;
                continue;
            }

            RecognitionResult result;
            try
            {
                result = recognizer.RecognizeFile(clip.Path);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"AppWithModel: {e.Message}");
                unreadable++;
                continue;
            }

            var hit = result.Label == truth;
            correct += hit ? 1 : 0;
            total++;
            latency += result.LatencyMilliseconds;
            var (c, t) = perLabel[truth];
            perLabel[truth] = (c + (hit ? 1 : 0), t + 1);
        }

        if (total == 0 && unreadable == 0)
        {
            error.WriteLine($"AppWithModel: no clip in {folderOrList} has a label the model knows ({string.Join(", ", model.Labels)}).");
            return 1;
        }

        if (total == 0)
        {
            return 1;
        }

        var f = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(f, $"clips: {total}"));
        output.WriteLine(string.Create(f, $"accuracy: {(double)correct / total:0.0000} ({correct}/{total})"));
        output.WriteLine(string.Create(f, $"mean latency: {latency / total:0.00} ms per clip"));
        output.WriteLine(string.Create(f, $"model: {model.ResourceName}, {model.EmbeddedBytes} bytes embedded ({model.Compression}), {model.OnnxBytes.Length} bytes ONNX"));
        foreach (var (label, (c, t)) in perLabel.Where(p => p.Value.Total > 0))
        {
            output.WriteLine(string.Create(f, $"  {label}: {(double)c / t:0.0000} ({c}/{t})"));
        }

        if (skipped > 0)
        {
            output.WriteLine(string.Create(f, $"skipped: {skipped} clips with labels the model does not have"));
        }

        return unreadable > 0 ? 1 : 0;
    }
}
