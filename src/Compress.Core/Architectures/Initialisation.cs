namespace Compress.Architectures;

/// <summary>Seeded weight initialisation shared by the reference architectures (the same values for the same seed on every machine and runtime).</summary>
internal static class Initialisation
{
    /// <summary><paramref name="count"/> values from N(0, std²), by Box–Muller from <paramref name="random"/>.</summary>
    public static float[] Normal(Random random, int count, double std)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller; deterministic for the seed.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }
}
