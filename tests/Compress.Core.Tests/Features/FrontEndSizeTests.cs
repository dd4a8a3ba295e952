using Compress.Features;
using Compress.Onnx;

namespace Compress.Core.Tests.Features;

public sealed class FrontEndSizeTests
{
    [Theory]
    [InlineData(FrontEndKind.LogMel, 512)]
    [InlineData(FrontEndKind.Mfcc, 1024)]
    public void Build_StoresTablesNotTheDftBasis_SoPrependingCostsKilobytes(FrontEndKind kind, int nfft)
    {
        var options = new FrontEndOptions(kind, NFft: nfft, WindowMs: 30, HopMs: 20);
        var stored = FrontEndMatrices.DftBasis(options).Length * sizeof(float);

        var bytes = OnnxModelIO.Save(FrontEndGraph.Build(options)).Length;

        // The stacked mel filterbank (2K x mel bins floats) dominates what is left; the DFT basis alone would be `stored`.
        var filterbank = 2 * options.FrequencyBins * options.MelBins * sizeof(float);
        Assert.InRange(bytes, 1, filterbank + (3 * nfft * sizeof(float)) + 8192);
        Assert.True(bytes * 4 < stored, $"front-end is {bytes} bytes; the DFT basis alone is {stored}");
    }
}
