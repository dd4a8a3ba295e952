namespace Compress.Runtime;

/// <summary>What <see cref="TorchRuntime.Initialize"/> found and did.</summary>
/// <param name="NativeLibraryPath">The packaged <c>libLibTorchSharp.so</c> (or the platform's equivalent).</param>
/// <param name="CompatibilityFixApplied">True when a corrected copy is loaded instead of the packaged file.</param>
/// <param name="LoadedLibraryPath">The file actually loaded: the corrected copy, or <see cref="NativeLibraryPath"/>.</param>
/// <param name="RemovedRequirements">The requirements removed from the copy, e.g. <c>GLIBCXX_3.4.32 of libstdc++.so.6</c>.</param>
public sealed record TorchRuntimeStatus(
    string NativeLibraryPath,
    bool CompatibilityFixApplied,
    string LoadedLibraryPath,
    IReadOnlyList<string> RemovedRequirements)
{
    /// <summary>What <see cref="OneDnnGuard"/> decided for this process (set by <see cref="TorchRuntime.Initialize"/>).</summary>
    public OneDnnGuardStatus OneDnn { get; init; } = new(OneDnnGuardChoice.Unavailable, "not decided yet", AtRisk: true);
}
