using System.Runtime.InteropServices;

namespace Compress.Training;

/// <summary>
/// Keeps glibc from returning activation-sized blocks to the OS between training steps. By default glibc serves
/// blocks above a (dynamic) threshold with fresh mmap calls and trims the heap top eagerly, so every forward pass
/// page-faults its multi-megabyte activations in again; on the DS-CNN that tripled the step time. Raising the
/// mmap threshold to glibc's maximum (32 MiB) and the trim threshold/top pad keeps those pages mapped for reuse.
/// Process-wide, applied once, Linux/glibc only; elsewhere (or if the call is unavailable) nothing happens.
/// </summary>
internal static partial class AllocatorTuning
{
    private const int TrimThreshold = -1;
    private const int TopPad = -2;
    private const int MmapThreshold = -3;
    private static int _applied;

    /// <summary>Applies the settings once per process.</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return;
        }

        try
        {
            _ = MallOpt(MmapThreshold, 32 * 1024 * 1024);
            _ = MallOpt(TrimThreshold, 1024 * 1024 * 1024);
            _ = MallOpt(TopPad, 256 * 1024 * 1024);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): keep the allocator's defaults.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
