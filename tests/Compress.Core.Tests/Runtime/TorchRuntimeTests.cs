using Compress.Runtime;

namespace Compress.Core.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Initialize_AppliesTheFixExactlyWhenTheHostLacksGlibcxx3432()
    {
        var hostHas3432 = SharedLibraryLocator.ForCurrentProcess(null).Find("libstdc++.so.6")!
            .VersionDefinitions.Contains("GLIBCXX_3.4.32");

        var status = TorchRuntime.Initialize();

        Assert.Equal(!hostHas3432, status.CompatibilityFixApplied);
        Assert.Same(status, TorchRuntime.Initialize());
        if (status.CompatibilityFixApplied)
        {
            Assert.Equal(["GLIBCXX_3.4.32 of libstdc++.so.6"], status.RemovedRequirements);
            Assert.NotEqual(status.NativeLibraryPath, status.LoadedLibraryPath);
            Assert.DoesNotContain(".nuget", status.LoadedLibraryPath, StringComparison.Ordinal);
            Assert.Contains(status.LoadedLibraryPath, SharedLibraryLocator.MappedLibraries());
        }
    }

    [Fact]
    public void TinyNetwork_TrainsAndItsLossFalls()
    {
        var losses = TrainingSmokeTest.Run(steps: 30);
        Assert.Equal(31, losses.Count);
        Assert.True(losses[^1] < losses[0] * 0.2f, $"loss went {losses[0]} -> {losses[^1]}");
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void TinyNetwork_IsDeterministicForASeed()
    {
        Assert.Equal(TrainingSmokeTest.Run(steps: 5, seed: 7), TrainingSmokeTest.Run(steps: 5, seed: 7));
    }
}
