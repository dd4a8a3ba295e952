using Compress.Audio;

namespace Compress.Core.Tests.Audio;

public sealed class ResamplerTests
{
    [Theory]
    [InlineData(44100, 16000, 1000.0)]
    [InlineData(8000, 16000, 1000.0)]
    [InlineData(48000, 16000, 3000.0)]
    [InlineData(22050, 16000, 440.0)]
    public void Resample_InBandSine_IsPreserved(int from, int to, double hz)
    {
        var input = Sine(from, hz, from / 2);

        var output = Resampler.Resample(input, from, to);

        Assert.Equal((long)input.Length * to / from, output.Length);
        var expected = Sine(to, hz, output.Length);
        // Skip the kernel's reach at both edges, where the zero padding is visible.
        for (var i = 200; i < output.Length - 200; i++)
        {
            Assert.InRange(output[i] - expected[i], -2e-3, 2e-3);
        }
    }

    [Fact]
    public void Resample_ToneAboveTheNewNyquist_IsRemoved()
    {
        var input = Sine(48000, 12000, 24000);

        var output = Resampler.Resample(input, 48000, 16000);

        // Linear interpolation or decimation would alias this to 4 kHz at full amplitude.
        var rms = Math.Sqrt(output.Skip(200).SkipLast(200).Average(x => (double)x * x));
        Assert.True(rms < 1e-3, $"rms {rms}");
    }

    [Fact]
    public void Resample_SameRate_CopiesAndDcIsExact()
    {
        float[] ones = [.. Enumerable.Repeat(0.25f, 3000)];

        Assert.Equal(ones, Resampler.Resample(ones, 16000, 16000));
        var down = Resampler.Resample(ones, 44100, 16000);
        Assert.All(down.Skip(100).SkipLast(100), v => Assert.InRange(v, 0.2499f, 0.2501f));
    }

    private static float[] Sine(int rate, double hz, int count) =>
        [.. Enumerable.Range(0, count).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate)))];
}
