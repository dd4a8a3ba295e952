using System.Reflection;
using System.Runtime.InteropServices;
using Compress.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Compress.Runtime;

/// <summary>One line of <c>dotnet compress doctor</c>.</summary>
public sealed record EnvironmentFact(string Name, string Value);

/// <summary>
/// Everything <c>dotnet compress doctor</c> reports: versions of the tool, .NET, the OS and its C/C++ runtimes,
/// TorchSharp/libtorch and ONNX Runtime; whether the native compatibility fix was needed; the CPU's vector ISA, the
/// oneDNN guard's decision and a convolution self-test against float64; threads and CUDA; and whether a tiny network
/// actually trains here.
/// </summary>
/// <param name="Facts">The facts, in display order.</param>
/// <param name="TrainingWorks">True when TorchSharp loaded and the smoke test's loss fell.</param>
/// <param name="Problems">Why training does not work (empty when it does).</param>
public sealed record EnvironmentReport(IReadOnlyList<EnvironmentFact> Facts, bool TrainingWorks, IReadOnlyList<Diagnostic> Problems)
{
    /// <summary>Collects the report. Never throws for environment problems: they land in <see cref="Problems"/>.</summary>
    public static EnvironmentReport Collect(string toolVersion)
    {
        var facts = new List<EnvironmentFact>
        {
            new("tool", toolVersion),
            new(".NET runtime", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})"),
            new("OS", OsDescription()),
            new("libc", LibcVersion()),
            new("libstdc++", LibStdCxxDescription()),
            new("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "unknown"),
            new("ONNX Runtime", OnnxRuntimeVersion()),
        };

        var problems = new List<Diagnostic>();
        var trains = false;
        try
        {
            var status = TorchRuntime.Initialize();
            facts.Add(new("native library", status.NativeLibraryPath));
            facts.Add(new("compatibility fix", status.CompatibilityFixApplied
                ? $"applied (removed {string.Join(", ", status.RemovedRequirements)}; loaded {status.LoadedLibraryPath})"
                : "not needed"));
            facts.Add(new("libtorch", TorchSharp.torch.__version__));
            var cpu = CpuInfo.Current;
            facts.Add(new("CPU", $"{cpu.Model}: {cpu.VectorIsa}"));
            facts.Add(new("oneDNN", status.OneDnn.ToString()));
            var convolutions = ConvolutionSelfTest.Run();
            var wrong = convolutions.Where(c => !c.Passed).ToList();
            var worst = convolutions.Max(c => Math.Max(c.ForwardError, c.BackwardError));
            facts.Add(new("convolutions", wrong.Count == 0
                ? $"correct ({convolutions.Count} cases, forward and backward, max error {worst:G2} against float64)"
                : $"WRONG in {wrong.Count} of {convolutions.Count} cases ({string.Join("; ", wrong.Select(w => $"{w.Case}: error {Math.Max(w.ForwardError, w.BackwardError):G3}"))})"));
            if (wrong.Count > 0)
            {
                problems.Add(RuntimeMessages.WrongConvolutions(string.Join("; ", wrong.Select(w => w.Case.ToString())), status.OneDnn.ToString()));
            }

            if (status.OneDnn.Choice == OneDnnGuardChoice.Auto)
            {
                // What `auto` would find for the self-test's shapes (batch 2); a run checks its own model's shapes.
                var withOneDnn = OneDnnVetting.Check([.. ConvolutionSelfTest.Cases.Select(ConvolutionSelfTest.ShapeOf)]);
                var wrongWithOneDnn = withOneDnn.Where(c => !c.Passed).ToList();
                facts.Add(new("oneDNN check", wrongWithOneDnn.Count == 0
                    ? $"oneDNN computes all {withOneDnn.Count} cases right here (`run` checks its own model's shapes before using it)"
                    : $"oneDNN computes {wrongWithOneDnn.Count} of {withOneDnn.Count} cases wrongly here ({string.Join("; ", wrongWithOneDnn.Select(w => w.Shape.ToString()))}); `run` keeps it off for a model with such a shape"));
            }

            facts.Add(new("threads", TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            facts.Add(new("CUDA", TorchSharp.torch.cuda.is_available() ? $"available ({TorchSharp.torch.cuda.device_count()} device(s)), not used: training runs on the CPU (device: cuda is CMP0108)" : "not available (training runs on the CPU)"));
            var auto = TrainingDevice.Resolve(ComputeDevice.Auto).Value!;
            facts.Add(new("device: auto", $"{auto.Name} ({auto.Reason})"));
            var losses = TrainingSmokeTest.Run();
            trains = losses[^1] < losses[0] * 0.5f;
            facts.Add(new("training", trains
                ? $"works (smoke-test loss {losses[0]:0.0000} -> {losses[^1]:0.0000})"
                : $"FAILED (smoke-test loss did not fall: {losses[0]:0.0000} -> {losses[^1]:0.0000})"));
            if (!trains)
            {
                problems.Add(RuntimeMessages.LoadFailed(status.LoadedLibraryPath, "TorchSharp loaded but a tiny network did not learn"));
            }
        }
        catch (CompressException e)
        {
            problems.AddRange(e.Diagnostics);
            facts.Add(new("training", "NOT POSSIBLE"));
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or EntryPointNotFoundException)
        {
            problems.Add(RuntimeMessages.LoadFailed(TorchRuntime.FindPackagedLibrary() ?? "libLibTorchSharp.so", (e.InnerException ?? e).Message.Split('\n')[0]));
            facts.Add(new("training", "NOT POSSIBLE"));
        }

        return new EnvironmentReport(facts, trains && problems.Count == 0, problems);
    }

    /// <summary>The tool's informational version (without a source-link suffix).</summary>
    public static string VersionOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }

    private static string OsDescription()
    {
        const string osRelease = "/etc/os-release";
        if (File.Exists(osRelease))
        {
            foreach (var line in File.ReadLines(osRelease))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    return $"{line["PRETTY_NAME=".Length..].Trim('"')} (kernel {KernelRelease()})";
                }
            }
        }

        return RuntimeInformation.OSDescription;
    }

    private static string KernelRelease()
    {
        const string release = "/proc/sys/kernel/osrelease";
        return File.Exists(release) ? File.ReadAllText(release).Trim() : Environment.OSVersion.Version.ToString();
    }

    private static string LibcVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "n/a";
        }

        try
        {
            return "glibc " + Marshal.PtrToStringUTF8(GnuGetLibcVersion());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "not glibc";
        }
    }

    private static string LibStdCxxDescription()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "n/a";
        }

        var image = SharedLibraryLocator.ForCurrentProcess(null).Find("libstdc++.so.6");
        if (image is null)
        {
            return "not found";
        }

        var newest = image.VersionDefinitions
            .Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
            .Select(v => (Name: v, Version: Version.TryParse(v["GLIBCXX_".Length..], out var parsed) ? parsed : null))
            .Where(v => v.Version is not null)
            .MaxBy(v => v.Version);
        return $"{image.Path} (newest {newest.Name ?? "unknown"})";
    }

    private static string OnnxRuntimeVersion()
    {
        try
        {
            return OrtEnv.Instance().GetVersionString();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            return "not loadable: " + e.Message.Split('\n')[0];
        }
    }

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static extern IntPtr GnuGetLibcVersion();
}
