using Compress.Diagnostics;

namespace Compress.Runtime;

/// <summary><c>device</c> in compress.yaml: where training runs. The YAML names live here, on the one enum.</summary>
public enum ComputeDevice
{
    /// <summary>The CPU.</summary>
    [SpecName("cpu")] Cpu,

    /// <summary>A CUDA GPU: CMP0107 when TorchSharp has none, CMP0108 when it has one (training runs on the CPU only).</summary>
    [SpecName("cuda")] Cuda,

    /// <summary>The device Compress can train on here: the CPU (the executor does not place tensors on CUDA).</summary>
    [SpecName("auto")] Auto,
}

/// <summary>
/// The device a run trains on, resolved from the spec's <c>device</c> before any data is read:
/// <see cref="Name"/> is <c>cpu</c> or <c>cuda</c> (what the report's <c>device</c> field holds), <see cref="Reason"/>
/// says why, for progress output and <c>doctor</c>.
/// </summary>
public sealed record TrainingDevice(ComputeDevice Requested, bool IsCuda, string Reason)
{
    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    public string Name => IsCuda ? "cuda" : "cpu";

    /// <summary>
    /// Resolves <paramref name="requested"/> on this machine (asks TorchSharp whether CUDA is available; loads the
    /// native runtime). <paramref name="at"/>: where <c>device</c> is written, for CMP0107.
    /// </summary>
    public static Result<TrainingDevice> Resolve(ComputeDevice requested, ISourceLocation? at = null) =>
        Resolve(requested, CudaAvailable(), OperatingSystem.IsWindows(), at);

    /// <summary>
    /// Resolves <paramref name="requested"/> given whether CUDA is available: <c>cpu</c> always works; <c>cuda</c>
    /// without CUDA is CMP0107 naming the TorchSharp package for <paramref name="windows"/> or Linux, and with CUDA is
    /// CMP0108, because the executor and the training loop keep every tensor on the CPU (reporting <c>cuda</c> while
    /// training on the CPU would be a lie); <c>auto</c> is the CPU and says why.
    /// </summary>
    public static Result<TrainingDevice> Resolve(ComputeDevice requested, bool cudaAvailable, bool windows, ISourceLocation? at = null) => requested switch
    {
        ComputeDevice.Cpu => Result<TrainingDevice>.Ok(new(requested, false, "device: cpu")),
        ComputeDevice.Cuda => Result<TrainingDevice>.Fail([cudaAvailable
            ? RuntimeMessages.CudaNotSupported(at)
            : RuntimeMessages.CudaUnavailable(at, windows ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux")]),
        ComputeDevice.Auto => Result<TrainingDevice>.Ok(cudaAvailable
            ? new(requested, false, "device: auto, CUDA is available but Compress trains on the CPU")
            : new(requested, false, "device: auto, CUDA is not available")),
    };

    /// <summary>Whether TorchSharp can use CUDA here (false with the TorchSharp-cpu package, which the tool ships).</summary>
    public static bool CudaAvailable()
    {
        TorchRuntime.Initialize();
        return TorchSharp.torch.cuda.is_available();
    }
}
