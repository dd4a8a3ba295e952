namespace AppWithModel.Audio;

/// <summary>
/// Converts a clip to the model's sample rate by linear interpolation, after a moving-average low-pass when
/// downsampling (enough for speech at 16 kHz; the training pipeline's band-limited resampler is more exact).
/// </summary>
public static class Resampler
{
    /// <summary>The clip at <paramref name="targetRate"/> Hz (the same array when the rate already matches).</summary>
    public static float[] ToRate(AudioClip clip, int targetRate)
    {
        if (clip.SampleRate == targetRate)
        {
            return clip.Samples;
        }

        var source = clip.Samples;
        var ratio = (double)clip.SampleRate / targetRate;
        if (ratio > 1)
        {
            source = MovingAverage(source, (int)Math.Ceiling(ratio));
        }

        var output = new float[(int)Math.Floor(source.Length / ratio)];
        for (var i = 0; i < output.Length; i++)
        {
            var position = i * ratio;
            var left = (int)position;
            var right = Math.Min(left + 1, source.Length - 1);
            var fraction = (float)(position - left);
            output[i] = (source[left] * (1 - fraction)) + (source[right] * fraction);
        }

        return output;
    }

    private static float[] MovingAverage(float[] samples, int width)
    {
        var result = new float[samples.Length];
        double sum = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            sum += samples[i];
            if (i >= width)
            {
                sum -= samples[i - width];
            }

            result[i] = (float)(sum / Math.Min(i + 1, width));
        }

        return result;
    }
}
