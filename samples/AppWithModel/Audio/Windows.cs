namespace AppWithModel.Audio;

/// <summary>Fits audio to the model's fixed input length.</summary>
public static class Windows
{
    /// <summary>
    /// Exactly <paramref name="length"/> samples: a shorter clip is zero-padded at the end (as Speech Commands clips
    /// are), a longer one is cut to its loudest window (searched with a 10 ms hop), where the word most likely is.
    /// </summary>
    public static float[] Fit(float[] samples, int length)
    {
        if (samples.Length <= length)
        {
            var padded = new float[length];
            samples.CopyTo(padded, 0);
            return padded;
        }

        var hop = Math.Max(1, length / 100);
        double energy = 0;
        for (var i = 0; i < length; i++)
        {
            energy += samples[i] * samples[i];
        }

        var (best, bestEnergy) = (0, energy);
        for (var start = hop; start + length <= samples.Length; start += hop)
        {
            for (var i = start - hop; i < start; i++)
            {
                energy += (samples[i + length] * samples[i + length]) - (samples[i] * samples[i]);
            }

            if (energy > bestEnergy)
            {
                (best, bestEnergy) = (start, energy);
            }
        }

        return samples.AsSpan(best, length).ToArray();
    }
}
