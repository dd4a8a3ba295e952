namespace Compress.Tool.Tests;

public sealed class DoctorCommandTests
{
    [Fact]
    public void Doctor_InProcess_ReportsEveryFactAndExitsZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CompressCli.Run(["doctor"], output, error);

        Assert.Equal(0, exit);
        Assert.Equal("", error.ToString());
        var names = output.ToString().Split('\n').Select(l => l.Split("  ")[0].Trim()).ToList();
        foreach (var fact in new[] { "tool", ".NET runtime", "OS", "libc", "libstdc++", "TorchSharp", "ONNX Runtime", "native library", "compatibility fix", "libtorch", "CPU", "oneDNN", "convolutions", "threads", "CUDA", "training" })
        {
            Assert.Contains(fact, names);
        }

        var text = output.ToString();
        Assert.Contains("oneDNN             off for libtorch (", text, StringComparison.Ordinal);
        Assert.Contains("convolutions       correct (10 cases, forward and backward, max error ", text, StringComparison.Ordinal);
        Assert.EndsWith("Training is possible on this machine." + Environment.NewLine, output.ToString(), StringComparison.Ordinal);
    }
}
