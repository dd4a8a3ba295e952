using Compress.Diagnostics;

namespace Compress.Core.Tests.Diagnostics;

public sealed class ResultTests
{
    private static readonly Diagnostic Warning = Diagnostic.Warning("CMP4006", "pinned");
    private static readonly Diagnostic Error = Diagnostic.Error("CMP4003", "unreachable");

    [Fact]
    public void Ok_WithWarnings_KeepsTheValueAndTheWarnings()
    {
        var result = Result<string>.Ok("value", [Warning]);

        Assert.False(result.Failed);
        Assert.Equal("value", result.Value);
        Assert.Equal([Warning], result.Diagnostics);
    }

    [Fact]
    public void Ok_WithAnError_HasNoValue()
    {
        var result = Result<string>.Ok("value", [Warning, Error]);

        Assert.True(result.Failed);
        Assert.Null(result.Value);
        Assert.Equal([Warning, Error], result.Diagnostics);
    }

    [Fact]
    public void Fail_WithoutAnError_IsAProgrammerError()
    {
        Assert.Throws<ArgumentException>(() => Result<string>.Fail([Warning]));
    }
}
