using Compress.Features;
using Compress.Onnx;

namespace Compress.Core.Tests.Features;

public sealed class FrontEndSizeTests
{
    [Theory]
    [InlineData(FrontEndKind.LogMel, 512, 17)]
    [InlineData(FrontEndKind.Mfcc, 1024, 17)]
    [InlineData(FrontEndKind.LogMel, 512, 11)]
    [InlineData(FrontEndKind.Mfcc, 1024, 13)]
    public void Build_StoresSmallTablesNotMatrices_SoPrependingCostsAFewKilobytes(FrontEndKind kind, int nfft, long opset)
    {
        var options = new FrontEndOptions(kind, NFft: nfft, WindowMs: 30, HopMs: 20);
        var basis = FrontEndMatrices.DftBasis(options).Length * sizeof(float);
        var filterbank = FrontEndMatrices.MelFilterbank(options).Length * sizeof(float);
        var dct = kind == FrontEndKind.Mfcc ? options.MelBins * options.Coefficients * sizeof(float) : 0;

        var bytes = OnnxModelIO.Save(FrontEndGraph.Build(options, opset: opset)).Length;

        // What is stored: the cos/sin tables and the window, 3 x mel-bins filter edges, the DCT and ~170 small nodes
        // (~18 KB of names and index constants); neither a DFT matrix nor the mel filterbank.
        Assert.InRange(bytes, 1, (3 * nfft * sizeof(float)) + dct + (24 * 1024));
        Assert.True(bytes < filterbank, $"front-end is {bytes} bytes; the mel filterbank alone is {filterbank}");
        Assert.True(bytes * 20 < basis, $"front-end is {bytes} bytes; the DFT basis alone is {basis}");
    }
}
