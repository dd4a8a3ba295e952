namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP01xx diagnostics: the native training runtime (TorchSharp/libtorch).</summary>
public static class RuntimeMessages
{
    /// <summary>LibTorchSharp's native library was not found next to the application.</summary>
    public const string NativeLibraryMissingCode = "CMP0101";

    /// <summary>The host lacks a library version that cannot safely be removed.</summary>
    public const string UnmetRequirementCode = "CMP0102";

    /// <summary>The native library's ELF layout is not one Compress fully understands.</summary>
    public const string UnsupportedLayoutCode = "CMP0103";

    /// <summary>The corrected copy could not be written, or a native library failed to load.</summary>
    public const string LoadFailedCode = "CMP0104";

    /// <summary>A setting of the native runtime (an environment variable) has a value Compress does not know.</summary>
    public const string BadGuardSettingCode = "CMP0105";

    /// <summary>libtorch's convolutions disagree with a float64 reference on this machine (<c>doctor</c>'s self-test).</summary>
    public const string WrongConvolutionsCode = "CMP0106";

    /// <summary><c>device: cuda</c>, but TorchSharp has no CUDA here (the TorchSharp-cpu package, or no GPU/driver).</summary>
    public const string CudaUnavailableCode = "CMP0107";

    /// <summary><c>device: cuda</c> on a machine with CUDA: the executor and training keep tensors on the CPU.</summary>
    public const string CudaNotSupportedCode = "CMP0108";

    internal static Diagnostic CudaUnavailable(ISourceLocation? at, string package) => Diagnostic.Error(
        CudaUnavailableCode,
        $"'device: cuda' was asked for, but TorchSharp finds no CUDA here (torch.cuda.is_available() is false): this build uses the CPU-only TorchSharp-cpu package, or there is no GPU or driver. Install a build of the tool with {package} (and an NVIDIA driver), or set 'device: cpu' or 'device: auto'",
        at?.File, at?.Line, at?.Column);

    internal static Diagnostic CudaNotSupported(ISourceLocation? at) => Diagnostic.Error(
        CudaNotSupportedCode,
        "'device: cuda' was asked for and TorchSharp finds CUDA, but Compress's executor and training loop run on the CPU only in this version, so the run would not use the GPU: set 'device: cpu' or 'device: auto' (which trains on the CPU and says so)",
        at?.File, at?.Line, at?.Column);

    internal static Diagnostic BadGuardSetting(string variable, string? value) => Diagnostic.Error(
        BadGuardSettingCode,
        $"{variable}={value} is not a known setting: use {variable}=off (libtorch's oneDNN convolutions stay off), {variable}=auto (off except while fine-tuning a model whose convolutions oneDNN computes right in a check before it; the tool's default) or {variable}=on");

    internal static Diagnostic WrongConvolutions(string cases, string guard) => Diagnostic.Error(
        WrongConvolutionsCode,
        $"libtorch computes convolutions wrongly on this machine: {cases} (oneDNN {guard}). Training would run on wrong numbers; unset COMPRESS_ONEDNN or set it to off, and report the CPU (dotnet compress doctor) if that does not help");

    internal static Diagnostic NativeLibraryMissing(string fileName, IEnumerable<string> searched) => Diagnostic.Error(
        NativeLibraryMissingCode,
        $"{fileName} was not found; searched: {string.Join(", ", searched)}. Reinstall the tool (dotnet tool update -g Compress.Tool) or restore the project.");

    internal static Diagnostic UnmetRequirement(string file, IEnumerable<UnmetRequirementText> unmet) => Diagnostic.Error(
        UnmetRequirementCode,
        $"this system's libraries do not provide {string.Join("; ", unmet.Select(u => u.Text))}, required by the native training library. Only GLIBCXX_3.4.32 (a never-called marker) can be worked around; install a newer libstdc++/glibc or use a newer Linux distribution.",
        file);

    internal static Diagnostic UnsupportedLayout(string file, string detail) => Diagnostic.Error(
        UnsupportedLayoutCode,
        $"cannot prepare a compatible copy of the native training library: {detail}. The file was left untouched.",
        file);

    internal static Diagnostic LoadFailed(string file, string detail) => Diagnostic.Error(
        LoadFailedCode,
        $"the native training library could not be loaded: {detail}",
        file);

    /// <summary>One unmet requirement, rendered for a message.</summary>
    internal readonly record struct UnmetRequirementText(string Text);
}
