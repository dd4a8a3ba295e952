namespace Compress.Runtime;

/// <summary>
/// Makes libtorch's OpenMP threads sleep instead of spin while they wait (<c>OMP_WAIT_POLICY=PASSIVE</c>), unless
/// the user set <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c>. With the default active policy every parallel region
/// ends in a spin barrier; when the cores are shared with other processes (CI runners, parallel builds) a
/// descheduled thread stalls the others and training slowed down five- to fourteen-fold (DS-CNN, 2 threads, load
/// average 14: 24 → 337 samples/s with the passive policy). libgomp reads the variable when it is loaded, so this
/// must run before the first torch call; <see cref="TorchRuntime.Initialize"/> calls it. Linux only.
/// </summary>
internal static class OpenMpWaitPolicy
{
    private static int _applied;

    /// <summary>Sets the policy once per process (no-op elsewhere or when the user chose one).</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return;
        }

        if (NativeEnvironment.Get("OMP_WAIT_POLICY") is not null || NativeEnvironment.Get("GOMP_SPINCOUNT") is not null)
        {
            return;
        }

        // No libc setenv: OpenMP keeps its default.
        _ = NativeEnvironment.SetIfUnset("OMP_WAIT_POLICY", "PASSIVE");
    }
}
