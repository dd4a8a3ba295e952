using Compress.Diagnostics;
using Compress.Runtime;

namespace Compress.Core.Tests.Runtime;

/// <summary>The spec's <c>device</c> resolved: cpu always; cuda is CMP0107 without CUDA (naming the package) and CMP0108 with it (training runs on the CPU only); auto is the CPU and says why.</summary>
public sealed class TrainingDeviceTests
{
    [Theory]
    [InlineData(ComputeDevice.Cpu, false, "cpu")]
    [InlineData(ComputeDevice.Cpu, true, "cpu")]
    [InlineData(ComputeDevice.Auto, true, "cpu")]
    [InlineData(ComputeDevice.Auto, false, "cpu")]
    public void Resolve_ChoosesTheDevice(ComputeDevice requested, bool cuda, string expected) =>
        Assert.Equal(expected, TrainingDevice.Resolve(requested, cuda, windows: false).Value!.Name);

    [Fact]
    public void Resolve_AutoWithCuda_SaysItTrainsOnTheCpu() =>
        Assert.Contains("trains on the CPU", TrainingDevice.Resolve(ComputeDevice.Auto, cudaAvailable: true, windows: false).Value!.Reason, StringComparison.Ordinal);

    [Fact]
    public void Resolve_CudaWithCuda_IsCMP0108_NotASilentCpuRun()
    {
        var result = TrainingDevice.Resolve(ComputeDevice.Cuda, cudaAvailable: true, windows: false);

        Assert.Null(result.Value);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((RuntimeMessages.CudaNotSupportedCode, DiagnosticSeverity.Error), (error.Code, error.Severity));
        Assert.Contains("device: cpu", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "TorchSharp-cuda-linux")]
    [InlineData(true, "TorchSharp-cuda-windows")]
    public void Resolve_CudaWithoutCuda_IsCMP0107_NamingThePackageToInstall(bool windows, string package)
    {
        var result = TrainingDevice.Resolve(ComputeDevice.Cuda, cudaAvailable: false, windows);

        Assert.Null(result.Value);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((RuntimeMessages.CudaUnavailableCode, DiagnosticSeverity.Error), (error.Code, error.Severity));
        Assert.Contains(package, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OnThisCpuOnlyBuild_AutoIsTheCpu_AndCudaFails()
    {
        Assert.False(TrainingDevice.CudaAvailable());
        Assert.Equal("cpu", TrainingDevice.Resolve(ComputeDevice.Auto).Value!.Name);
        Assert.Null(TrainingDevice.Resolve(ComputeDevice.Cuda).Value);
    }
}
