using System.Runtime.Intrinsics.X86;

namespace Compress.Runtime;

/// <summary>
/// What the processor is and which vector instruction sets it has, as the kernel reports them
/// (<c>/proc/cpuinfo</c>'s <c>model name</c> and <c>flags</c>); elsewhere, what .NET's intrinsics report.
/// </summary>
/// <param name="Model">The processor's model name, e.g. "AMD EPYC".</param>
/// <param name="Flags">The kernel's feature flags (lower case), e.g. <c>avx2</c>, <c>avx512f</c>, <c>avx512_vnni</c>.</param>
public sealed record CpuInfo(string Model, IReadOnlySet<string> Flags)
{
    /// <summary>True when the CPU has AVX-512 Foundation (the ISA level oneDNN's <c>avx512_core</c> kernels need).</summary>
    public bool HasAvx512 => Flags.Contains("avx512f");

    /// <summary>The vector instruction sets that matter for native kernels, in order, e.g. "avx2 fma avx512f avx512bw …".</summary>
    public string VectorIsa
    {
        get
        {
            var shown = Flags.Where(f => f is "sse4_2" or "avx" or "avx2" or "fma" or "avx_vnni" or "amx_tile" || f.StartsWith("avx512", StringComparison.Ordinal))
                .OrderBy(f => f switch { "sse4_2" => 0, "avx" => 1, "avx2" => 2, "fma" => 3, "avx_vnni" => 4, "amx_tile" => 6, _ => 5 })
                .ThenBy(f => f, StringComparer.Ordinal);
            var text = string.Join(' ', shown);
            return text.Length > 0 ? text : "(no AVX)";
        }
    }

    /// <summary>Reads this machine's CPU description once.</summary>
    public static CpuInfo Current { get; } = Read();

    /// <summary>Parses the text of <c>/proc/cpuinfo</c> (the first processor's model name and flags).</summary>
    public static CpuInfo Parse(string procCpuInfo)
    {
        ArgumentNullException.ThrowIfNull(procCpuInfo);
        string? model = null;
        HashSet<string>? flags = null;
        foreach (var line in procCpuInfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (model is null && key == "model name")
            {
                model = value;
            }
            else if (flags is null && key == "flags")
            {
                flags = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            }
        }

        return new CpuInfo(model ?? "unknown", flags ?? []);
    }

    private static CpuInfo Read()
    {
        const string path = "/proc/cpuinfo";
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists(path))
            {
                var parsed = Parse(File.ReadAllText(path));
                if (parsed.Flags.Count > 0)
                {
                    return parsed;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall through to what .NET knows.
        }

        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (Avx2.IsSupported)
        {
            flags.Add("avx2");
        }

        if (Avx512F.IsSupported)
        {
            flags.Add("avx512f");
        }

        return new CpuInfo(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), flags);
    }
}
