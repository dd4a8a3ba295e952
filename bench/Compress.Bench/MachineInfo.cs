using System.Reflection;
using System.Runtime.InteropServices;

namespace Compress.Bench;

/// <summary>The machine a run was measured on, as a markdown table.</summary>
public static class MachineInfo
{
    /// <summary>nproc, CPU model, memory, OS, .NET, TorchSharp / libtorch and ONNX Runtime versions, load average.</summary>
    public static string Describe()
    {
        var cpu = Cpu();
        var memoryKb = ReadField("/proc/meminfo", "MemTotal")?.Split(' ')[0];
        var memory = long.TryParse(memoryKb, out var kb) ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kb / 1048576.0:0.0} GiB") : "?";
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? "Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription;
        var os = ReadOsRelease() ?? RuntimeInformation.OSDescription;
        var load = LoadAverage();
        var rows = new (string, string)[]
        {
            ("logical CPUs (nproc)", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("CPU", cpu),
            ("AVX-512 (`grep -o 'avx512[a-z_]*' /proc/cpuinfo`; libtorch's oneDNN convolutions are wrong on some AVX-512 CPUs, docs/native-runtime.md)", Avx512()),
            ("memory", memory),
            ("OS", $"{os} ({kernel}, {RuntimeInformation.OSArchitecture})"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("TorchSharp", Version(typeof(TorchSharp.torch).Assembly)),
            ("ONNX Runtime", Version(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly)),
            ("load average when the last section started (1/5/15 min; other work shares the machine)", load),
        };
        return "| | |\n|---|---|\n" + string.Join('\n', rows.Select(r => $"| {r.Item1} | {r.Item2} |"));
    }

    /// <summary>The CPU model (<c>model name</c> of /proc/cpuinfo), or the architecture.</summary>
    public static string Cpu() => ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    /// <summary>One sentence naming the CPU a section measured on: model, logical CPUs, AVX-512 and VNNI or not.</summary>
    public static string CpuSentence()
    {
        var avx512 = Avx512();
        var kind = avx512 == "none" ? "no AVX-512" : avx512.Contains("avx512_vnni", StringComparison.Ordinal) ? "AVX-512 with VNNI" : "AVX-512 without VNNI";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"CPU: {Cpu()}, {Environment.ProcessorCount} logical CPUs, {kind}.");
    }

    /// <summary>The CPU's AVX-512 flags (from the first processor's <c>flags</c> in /proc/cpuinfo), or "none".</summary>
    public static string Avx512()
    {
        var flags = ReadField("/proc/cpuinfo", "flags")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith("avx512", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList() ?? [];
        return flags.Count == 0 ? "none" : string.Join(' ', flags);
    }

    /// <summary>The 1/5/15-minute load average from /proc/loadavg, or "?".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Version(Assembly assembly)
    {
        var v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        var plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? v[..plus] : v;
    }

    private static string? ReadField(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string? ReadOsRelease()
    {
        const string file = "/etc/os-release";
        var line = File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) : null;
        return line?["PRETTY_NAME=".Length..].Trim('"');
    }
}
