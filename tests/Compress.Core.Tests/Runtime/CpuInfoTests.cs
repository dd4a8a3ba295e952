using Compress.Runtime;

namespace Compress.Core.Tests.Runtime;

public sealed class CpuInfoTests
{
    private const string Epyc = """
        processor	: 0
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC
        flags		: fpu sse4_2 avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx_vnni xsave hypervisor

        processor	: 1
        model name	: some other name
        flags		: fpu
        """;

    [Fact]
    public void Parse_TakesTheFirstProcessorsModelAndFlags()
    {
        var cpu = CpuInfo.Parse(Epyc);

        Assert.Equal("AMD EPYC", cpu.Model);
        Assert.True(cpu.HasAvx512);
        Assert.Contains("hypervisor", cpu.Flags);
        Assert.DoesNotContain("processor", cpu.Flags);
    }

    [Fact]
    public void VectorIsa_ListsOnlyVectorSets_OldestFirst()
    {
        Assert.Equal("sse4_2 avx2 fma avx_vnni avx512_bf16 avx512_vnni avx512bw avx512f avx512vl", CpuInfo.Parse(Epyc).VectorIsa);
    }

    [Fact]
    public void Parse_AnAvx2Machine_HasNoAvx512()
    {
        var cpu = CpuInfo.Parse("model name\t: Intel(R) Core(TM) i7\nflags\t\t: sse4_2 avx avx2 fma\n");

        Assert.False(cpu.HasAvx512);
        Assert.Equal("sse4_2 avx avx2 fma", cpu.VectorIsa);
    }

    [Fact]
    public void Parse_NoFlags_IsUnknownWithoutVectorSets()
    {
        var cpu = CpuInfo.Parse("");

        Assert.Equal("unknown", cpu.Model);
        Assert.Equal("(no AVX)", cpu.VectorIsa);
    }
}
