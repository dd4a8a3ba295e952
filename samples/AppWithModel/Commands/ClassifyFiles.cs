using System.Globalization;
using AppWithModel.Recognition;

namespace AppWithModel.Commands;

/// <summary><c>AppWithModel file.wav...</c>: one line per file, <c>FILE: LABEL 97.1% -> ACTION</c>.</summary>
public static class ClassifyFiles
{
    /// <summary>Classifies each file; returns 0, or 1 when a file could not be read (the others are still classified).</summary>
    public static int Run(CommandRecognizer recognizer, IReadOnlyList<string> files, TextWriter output, TextWriter error)
    {
        var status = 0;
        foreach (var file in files)
        {
            try
            {
                var result = recognizer.RecognizeFile(file);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file}: {result.Label} {result.Confidence * 100:0.0}% -> {SmartHomeActions.For(result.Label)}"));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"AppWithModel: {e.Message}");
                status = 1;
            }
        }

        return status;
    }
}
