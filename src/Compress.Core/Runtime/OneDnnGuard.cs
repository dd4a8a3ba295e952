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

    /// <summary>
    /// <c>COMPRESS_ONEDNN=auto</c> (the tool's default): off like <see cref="Disabled"/>, except while a run fine-tunes a
    /// model whose every convolution shape oneDNN computed right in a check against float64 just before
    /// (<see cref="OneDnnVetting"/>).
    /// </summary>
    Auto,
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
        OneDnnGuardChoice.Auto => $"auto ({Reason})",
    };

    /// <summary>The setting's name as users write it: <c>off</c>, <c>on</c> or <c>auto</c> (<c>off</c> also when the switch could not be reached).</summary>
    public string Setting => Choice switch
    {
        OneDnnGuardChoice.UserEnabled => "on",
        OneDnnGuardChoice.Auto => "auto",
        _ => "off",
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
/// <c>COMPRESS_ONEDNN=auto</c> (the tool's default, <see cref="Unset"/>) keeps it off too, and the engine switches it on
/// only for a fine-tuning whose every convolution shape, at every batch size it will run, oneDNN has just computed
/// right — forward and both gradients — against float64 (<see cref="OneDnnVetting"/>, <see cref="OneDnnWindow"/>).
/// </para>
/// </summary>
public static class OneDnnGuard
{
    /// <summary>The variable a user sets to <c>on</c>, <c>off</c> or <c>auto</c> (default: <see cref="Unset"/>).</summary>
    public const string Variable = "COMPRESS_ONEDNN";

    private static IntPtr s_globalContext;
    private static IntPtr s_set;
    private static IntPtr s_get;
    private static readonly Lock SwitchLock = new();
    private static OneDnnGuardChoice s_unset = OneDnnGuardChoice.Disabled;

    /// <summary>
    /// What an unset <see cref="Variable"/> means in this process: <see cref="OneDnnGuardChoice.Disabled"/> (the library's
    /// default), or <see cref="OneDnnGuardChoice.Auto"/>, which the <c>dotnet compress</c> tool sets in its entry point
    /// because its process runs one job: libtorch's switch is process-wide, so <c>auto</c> switching it on for one
    /// run's training would also reach other executors running in the same process at that moment. Set it before
    /// <see cref="TorchRuntime.Initialize"/>: setting it afterwards throws <see cref="InvalidOperationException"/>, since
    /// the process's decision is made once.
    /// </summary>
    public static OneDnnGuardChoice Unset
    {
        get => s_unset;
        set
        {
            if (TorchRuntime.Status is not null && value != s_unset)
            {
                throw new InvalidOperationException($"{nameof(OneDnnGuard)}.{nameof(Unset)} must be set before TorchRuntime.Initialize(), which has already decided oneDNN for this process ({TorchRuntime.Status.OneDnn})");
            }

            s_unset = value;
        }
    }

    private const string LibTorchCpu = "libtorch_cpu.so";
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetEnabledSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string GetEnabledSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const string SetNnpackSymbol = "_ZN2at7Context20setUserEnabledNNPACKEb";

    /// <summary>
    /// The decision for the user's value of <see cref="Variable"/> (null or empty: unset, <see cref="Unset"/>). Throws
    /// <see cref="CompressException"/> (CMP0105) for a value that is not on, off or auto.
    /// </summary>
    public static OneDnnGuardChoice Decide(string? userValue)
    {
        switch (userValue?.Trim().ToLowerInvariant())
        {
            case null or "":
                return Unset;
            case "off" or "0" or "false":
                return OneDnnGuardChoice.Disabled;
            case "on" or "1" or "true":
                return OneDnnGuardChoice.UserEnabled;
            case "auto":
                return OneDnnGuardChoice.Auto;
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

        var enabled = SetAndRead(context, set, get, false);
        if (enabled)
        {
            return new OneDnnGuardStatus(OneDnnGuardChoice.Unavailable, "libtorch still reports oneDNN enabled after switching it off", AtRisk: true);
        }

        (s_globalContext, s_set, s_get) = (context, set, get);
        return choice is OneDnnGuardChoice.Auto
            ? new OneDnnGuardStatus(choice, "off, except while a run fine-tunes a model whose convolution shapes it has just computed right against float64", AtRisk: false)
            : new OneDnnGuardStatus(OneDnnGuardChoice.Disabled, $"its convolutions compute wrong results for channel counts that are not a multiple of 8 or 16; {Variable}=auto uses it where a check passes, {Variable}=on everywhere", AtRisk: false);
    }

    /// <summary>True when libtorch's switch can be flipped at run time (the guard reached it: <c>off</c> or <c>auto</c>).</summary>
    internal static bool CanSwitch => s_set != IntPtr.Zero;

    /// <summary>
    /// Flips libtorch's process-wide oneDNN switch and reads it back; returns whether oneDNN is now enabled. Only for
    /// <see cref="OneDnnVetting"/> and <see cref="OneDnnWindow"/>, which decide when that is right.
    /// </summary>
    internal static bool Switch(bool enabled)
    {
        if (!CanSwitch)
        {
            throw new InvalidOperationException("the oneDNN switch was not reached (TorchRuntime.Initialize with COMPRESS_ONEDNN off or auto)");
        }

        lock (SwitchLock)
        {
            return SetAndRead(s_globalContext, s_set, s_get, enabled);
        }
    }

    /// <summary>Whether libtorch's oneDNN switch is on now (null when the guard could not reach it).</summary>
    internal static bool? IsEnabled() => CanSwitch ? Read(Context(s_globalContext), s_get) : null;

    private static unsafe void SetNnpackOff(IntPtr globalContext, IntPtr set) =>
        ((delegate* unmanaged<IntPtr, byte, void>)set)(Context(globalContext), 0);

    /// <summary>Itanium C++ ABI: <c>at::globalContext()</c> returns <c>at::Context&amp;</c>; member functions take it as <c>this</c>.</summary>
    private static unsafe IntPtr Context(IntPtr globalContext) => ((delegate* unmanaged<IntPtr>)globalContext)();

    private static unsafe bool SetAndRead(IntPtr globalContext, IntPtr set, IntPtr get, bool enabled)
    {
        var context = Context(globalContext);
        ((delegate* unmanaged<IntPtr, byte, void>)set)(context, enabled ? (byte)1 : (byte)0);
        return Read(context, get);
    }

    /// <summary><c>at::Context::userEnabledMkldnn()</c> on <paramref name="context"/>.</summary>
    private static unsafe bool Read(IntPtr context, IntPtr get) => ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0;
}
