using Compress.Evaluation;

namespace Compress.Core.Tests.Evaluation;

/// <summary>The executor-vs-ONNX Runtime parity bar: 1e-4 near zero, 1e-5 of the value above 10.</summary>
public sealed class ToleranceTests
{
    [Fact]
    public void Parity_AcceptsFloat32RoundingAtALargeLogit()
    {
        // A collapsed DS-CNN's logit, as the executor and ONNX Runtime computed it (3e-4 apart, 6.8e-7 relative):
        // the absolute bar alone failed this export with CMP6001.
        var comparison = Tolerance.Parity.Compare([441.9928f, -12.5f], [441.9925f, -12.50005f]);
        Assert.True(comparison.Passed, comparison.Detail);
    }

    [Theory]
    [InlineData(0.5f, 0.50015f)]      // 1.5e-4 near zero: outside 1e-4 + 5e-6
    [InlineData(442f, 442.01f)]       // 1e-2 at 442: outside 1e-4 + 4.42e-3
    [InlineData(-3000f, -2999.9f)]    // 0.1 at 3000: outside 1e-4 + 3e-2
    public void Parity_RejectsWhatAWrongKernelComputes(float expected, float actual)
    {
        var comparison = Tolerance.Parity.Compare([expected], [actual]);
        Assert.False(comparison.Passed, comparison.Detail);
        Assert.Contains("1 of 1 values outside atol 0.0001 rtol 1E-05", comparison.Detail, StringComparison.Ordinal);
    }
}
