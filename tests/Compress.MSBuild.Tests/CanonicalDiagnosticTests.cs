namespace Compress.MSBuild.Tests;

public sealed class CanonicalDiagnosticTests
{
    [Fact]
    public void Parse_FileLineColumnError_ResolvesFileAgainstToolFolder()
    {
        var d = CanonicalDiagnostic.TryParse("compress.yaml(12,3): error CMP5001: accuracy 0.871 is below min 0.900 (baseline 0.934, sparsity 0.80)", "/work/app");

        Assert.NotNull(d);
        Assert.True(d.IsError);
        Assert.Equal("CMP5001", d.Code);
        Assert.Equal("/work/app/compress.yaml", d.File);
        Assert.Equal((12, 3), (d.Line, d.Column));
        Assert.Equal("accuracy 0.871 is below min 0.900 (baseline 0.934, sparsity 0.80)", d.Message);
    }

    [Fact]
    public void Parse_ToolOrigin_HasNoFile()
    {
        var d = CanonicalDiagnostic.TryParse("compress: error CMP0101: libLibTorchSharp.so was not found", "/x");

        Assert.NotNull(d);
        Assert.Null(d.File);
        Assert.Equal("CMP0101", d.Code);
        Assert.Equal(0, d.Line);
    }

    [Fact]
    public void Parse_WarningWithLineOnly_AndAbsoluteFileWithoutPosition()
    {
        var warning = CanonicalDiagnostic.TryParse("/data/spec.yaml(7): warning CMP4002: early stop", "/x");
        var fileOnly = CanonicalDiagnostic.TryParse("/data/yes/a.wav: error CMP3001: not a WAV file", "/x");

        Assert.False(warning!.IsError);
        Assert.Equal(("/data/spec.yaml", 7, 0), (warning.File, warning.Line, warning.Column));
        Assert.Equal(("/data/yes/a.wav", "CMP3001"), (fileOnly!.File, fileOnly.Code));
    }

    [Theory]
    [InlineData("epoch 3/10 loss 0.41")]
    [InlineData("accuracy: 0.93")]
    [InlineData("   at Compress.Pipeline.Run() in Pipeline.cs:line 42")]
    [InlineData("")]
    public void Parse_OrdinaryOutput_IsNotADiagnostic(string line) =>
        Assert.Null(CanonicalDiagnostic.TryParse(line, "/x"));
}
