using System.Buffers.Binary;
using System.Globalization;
using AppWithModel.Recognition;

namespace AppWithModel.Commands;

/// <summary>
/// <c>AppWithModel --stdin</c>: reads raw 16-bit little-endian mono PCM at the model's sample rate (e.g. from
/// <c>arecord -f S16_LE -c 1 -r 16000 -t raw</c> or <c>sox in.wav -t raw -e signed -b 16 -c 1 -r 16000 -</c>) and
/// prints one recognition per window of one model input (1 s) every half window (0.5 s):
/// <c>START-END s: LABEL 97.1% -> ACTION</c>. A trailing partial window longer than the hop is zero-padded and classified.
/// </summary>
public static class ListenStdin
{
    /// <summary>Runs until the stream ends; returns 0.</summary>
    public static int Run(CommandRecognizer recognizer, Stream input, TextWriter output)
    {
        var window = recognizer.Model.WindowSamples;
        var hop = Math.Max(1, window / 2);
        var rate = (double)recognizer.Model.SampleRate;
        var buffer = new List<float>(window * 2);
        long consumed = 0;
        var bytes = new byte[8192];
        var pending = -1;
        int read;
        while ((read = input.Read(bytes, 0, bytes.Length)) > 0)
        {
            var i = 0;
            if (pending >= 0)
            {
                buffer.Add(BinaryPrimitives.ReadInt16LittleEndian(new[] { (byte)pending, bytes[0] }) / 32768f);
                pending = -1;
                i = 1;
            }

            for (; i + 1 < read; i += 2)
            {
                buffer.Add(BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i, 2)) / 32768f);
            }

            if (i < read)
            {
                pending = bytes[i];
            }

            while (buffer.Count >= window)
            {
                Print(recognizer, buffer.GetRange(0, window).ToArray(), consumed / rate, output);
                buffer.RemoveRange(0, hop);
                consumed += hop;
            }
        }

        if (buffer.Count > 0 && (consumed == 0 || buffer.Count > window - hop))
        {
            Print(recognizer, buffer.ToArray(), consumed / rate, output);
        }

        return 0;
    }

    private static void Print(CommandRecognizer recognizer, float[] samples, double start, TextWriter output)
    {
        var result = recognizer.Recognize(samples);
        var end = start + ((double)recognizer.Model.WindowSamples / recognizer.Model.SampleRate);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{start:0.00}-{end:0.00} s: {result.Label} {result.Confidence * 100:0.0}% -> {SmartHomeActions.For(result.Label)}"));
        output.Flush();
    }
}
