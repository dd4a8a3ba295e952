using System.Runtime.InteropServices;
using Compress.Diagnostics;

namespace Compress.Runtime;

/// <summary>What the oneDNN guard decided.</summary>
public enum OneDnnGuardChoice
{
    /// <summary>libtorch's oneDNN (mkldnn) paths are switched off: convolutions take libtorch's own kernels.</summary>
    Disabled,

    /// <summary>The user asked for oneDNN (<c>COMPRESS_ONEDNN=on</c>); libtorch uses it where it would by default.</summary>
    UserEnabled,

    /// <summary>The switch could not be reached (a libtorch without the expected export, or not Linux).</summary>
    Unavailable,
}

/// <summary>The guard's decision and why.</summary>
/// <param name="Choice">What was decided.</param>
/// <param name="Reason">One sentence for <c>doctor</c> and error messages.</param>
/// <param name="AtRisk">True when libtorch may run the oneDNN convolution kernels known to compute wrong results.</param>
public sealed record OneDnnGuardStatus(OneDnnGuardChoice Choice, string Reason, bool AtRisk)
{
    /// <summary>One line: the state and the reason.</summary>
    public override string ToString() => Choice switch
    {
        OneDnnGuardChoice.Disabled => $"off for libtorch ({Reason})",
        OneDnnGuardChoice.UserEnabled => $"on ({Reason})",
        OneDnnGuardChoice.Unavailable => $"NOT SWITCHED OFF ({Reason})",
    };
}

/// <summary>
/// Keeps libtorch's convolutions correct. libtorch 2.10 (TorchSharp-cpu 0.107.0) runs float convolutions through
/// oneDNN 3.7.1, whose blocked kernels compute wrong results — errors of 0.1–14, sometimes NaN — when a channel count
/// is not a multiple of the kernel's block (16 for its AVX-512 kernels, 8 for AVX2): a Conv1d over 40 mel bins, an
/// embedding CNN's 24-channel layer, a 12- or 20-channel layer with oneDNN held to AVX2. Forward and backward are both
/// affected. ONNX Runtime (its own MLAS kernels) is right, and so is libtorch with oneDNN switched off. The measured
/// matrix is in docs/native-runtime.md.
/// <para>
/// <see cref="Apply"/> runs in <see cref="TorchRuntime.Initialize"/>, before the first convolution, and switches
/// oneDNN off for the process through libtorch's own switch (<c>at::Context::setUserEnabledMkldnn(false)</c>, what
/// Python's <c>torch.backends.mkldnn.enabled = False</c> sets), then reads it back. Restricting oneDNN's instruction
/// set (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>) was measured and is not enough: it only moves the failures to other channel
/// counts. <c>COMPRESS_ONEDNN=on</c> keeps oneDNN (faster on some CPUs, at the user's risk); the pipeline's check of
/// the executor against ONNX Runtime before training (CMP2110) still stops a wrong kernel from training silently.
/// </para>
/// </summary>
public static class OneDnnGuard
{
    /// <summary>The variable a user sets to <c>on</c> to keep libtorch's oneDNN kernels (default <c>off</c>).</summary>
    public const string Variable = "COMPRESS_ONEDNN";

    private const string LibTorchCpu = "libtorch_cpu.so";
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetEnabledSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string GetEnabledSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const string SetNnpackSymbol = "_ZN2at7Context20setUserEnabledNNPACKEb";

    /// <summary>
    /// The decision for the user's value of <see cref="Variable"/> (null or empty: unset). Throws
    /// <see cref="CompressException"/> (CMP0105) for a value that is neither on nor off.
    /// </summary>
    public static OneDnnGuardChoice Decide(string? userValue)
    {
        switch (userValue?.Trim().ToLowerInvariant())
        {
            case null or "" or "off" or "0" or "false":
                return OneDnnGuardChoice.Disabled;
            case "on" or "1" or "true":
                return OneDnnGuardChoice.UserEnabled;
            default:
                throw new CompressException(RuntimeMessages.BadGuardSetting(Variable, userValue));
        }
    }

    /// <summary>
    /// Applies the decision for this process to the libtorch in <paramref name="nativeFolder"/> (the folder of
    /// <c>libLibTorchSharp.so</c>, whose <c>libtorch_cpu.so</c> the process uses) and returns what happened.
    /// </summary>
    internal static OneDnnGuardStatus Apply(string nativeFolder)
    {
        var choice = Decide(Environment.GetEnvironmentVariable(Variable));
        if (choice is OneDnnGuardChoice.UserEnabled)
        {
            return new OneDnnGuardStatus(choice, $"{Variable}=on: libtorch may use oneDNN kernels that compute some convolutions wrongly; `run` checks the executor against ONNX Runtime before training", AtRisk: true);
        }

        if (!OperatingSystem.IsLinux())
        {
            return new OneDnnGuardStatus(OneDnnGuardChoice.Unavailable, "the switch is only reached on Linux", AtRisk: true);
        }

        var library = Path.Combine(nativeFolder, LibTorchCpu);
        if (!File.Exists(library))
        {
            return new OneDnnGuardStatus(OneDnnGuardChoice.Unavailable, $"{library} not found", AtRisk: true);
        }

        var handle = NativeLibrary.Load(library);
        if (!NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out var context)
            || !NativeLibrary.TryGetExport(handle, SetEnabledSymbol, out var set)
            || !NativeLibrary.TryGetExport(handle, GetEnabledSymbol, out var get))
        {
            return new OneDnnGuardStatus(OneDnnGuardChoice.Unavailable, $"{library} does not export at::Context::setUserEnabledMkldnn", AtRisk: true);
        }

        // With oneDNN off, libtorch tries NNPACK for 2-D convolutions and, where NNPACK cannot initialise (this
        // machine: "Unsupported hardware"), prints a warning on every call; NNPACK is switched off too.
        if (NativeLibrary.TryGetExport(handle, SetNnpackSymbol, out var setNnpack))
        {
            SetNnpackOff(context, setNnpack);
        }

        var enabled = SetAndRead(context, set, get);
        return enabled
            ? new OneDnnGuardStatus(OneDnnGuardChoice.Unavailable, "libtorch still reports oneDNN enabled after switching it off", AtRisk: true)
            : new OneDnnGuardStatus(OneDnnGuardChoice.Disabled, $"its convolutions compute wrong results for channel counts that are not a multiple of 8 or 16; {Variable}=on keeps it", AtRisk: false);
    }

    private static unsafe void SetNnpackOff(IntPtr globalContext, IntPtr set) =>
        ((delegate* unmanaged<IntPtr, byte, void>)set)(Context(globalContext), 0);

    /// <summary>Itanium C++ ABI: <c>at::globalContext()</c> returns <c>at::Context&amp;</c>; member functions take it as <c>this</c>.</summary>
    private static unsafe IntPtr Context(IntPtr globalContext) => ((delegate* unmanaged<IntPtr>)globalContext)();

    private static unsafe bool SetAndRead(IntPtr globalContext, IntPtr set, IntPtr get)
    {
        var context = Context(globalContext);
        ((delegate* unmanaged<IntPtr, byte, void>)set)(context, 0);
        return ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0;
    }
}
