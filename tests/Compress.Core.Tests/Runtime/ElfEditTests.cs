using System.Buffers.Binary;
using System.Security.Cryptography;
using Compress.Runtime;
using Compress.Runtime.Elf;

namespace Compress.Core.Tests.Runtime;

public sealed class ElfEditTests
{
    private const string Marker = "_ZSt21ios_base_library_initv";

    private static string PackagedLibrary =>
        TorchRuntime.FindPackagedLibrary() ?? throw new InvalidOperationException("libLibTorchSharp.so is not next to the tests");

    [Fact]
    public void PackagedLibrary_NeedsGlibcxx3432_OnlyForTheIosBaseMarker()
    {
        var image = ElfImage.Load(PackagedLibrary);
        var need = Assert.Single(image.VersionNeeds, n => n.File == "libstdc++.so.6");
        var version = Assert.Single(need.Versions, v => v.Name == "GLIBCXX_3.4.32");
        var users = image.DynamicSymbols.Where(s => s.VersionIndex == version.Index).Select(s => s.Name).ToList();
        Assert.Equal([Marker], users);
        Assert.Equal("libLibTorchSharp.so", image.SoName);
    }

    [Fact]
    public void Remove_OnPackagedLibrary_RemovesExactlyThatRequirementAndNothingElse()
    {
        var original = ElfImage.Load(PackagedLibrary);
        var before = original.Bytes.ToArray();
        var result = VersionRequirementRemover.Remove(original, "libstdc++.so.6", "GLIBCXX_3.4.32", new HashSet<string> { Marker });
        var patched = ElfImage.Parse(result.Image, "patched");

        // Same size, same sections, same symbol table and names.
        Assert.Equal(before.Length, result.Image.Length);
        Assert.Equal(original.Sections.Select(s => (s.Name, s.Offset, s.Size)), patched.Sections.Select(s => (s.Name, s.Offset, s.Size)));
        Assert.Equal(original.DynamicSymbols.Select(s => (s.Name, s.IsDefined)), patched.DynamicSymbols.Select(s => (s.Name, s.IsDefined)));
        Assert.Equal(original.Needed, patched.Needed);
        Assert.Equal(original.SoName, patched.SoName);

        // Every other version requirement is still there, in order, with its index.
        var expectedNeeds = original.VersionNeeds.Select(n => (n.File, Versions: n.Versions
            .Where(v => !(n.File == "libstdc++.so.6" && v.Name == "GLIBCXX_3.4.32"))
            .Select(v => (v.Name, v.Index)).ToList())).ToList();
        var actualNeeds = patched.VersionNeeds.Select(n => (n.File, Versions: n.Versions.Select(v => (v.Name, v.Index)).ToList())).ToList();
        Assert.Equal(expectedNeeds.Select(n => n.File), actualNeeds.Select(n => n.File));
        for (var i = 0; i < expectedNeeds.Count; i++)
        {
            Assert.Equal(expectedNeeds[i].Versions, actualNeeds[i].Versions);
        }

        // Only the marker symbol changed version, and it became global (1).
        for (var i = 0; i < original.DynamicSymbols.Count; i++)
        {
            var o = original.DynamicSymbols[i];
            var p = patched.DynamicSymbols[i];
            Assert.Equal(o.Name == Marker ? (ushort)1 : o.VersionIndex, p.VersionIndex);
        }

        Assert.Equal([Marker], result.RetaggedSymbols);

        // The only bytes that differ: vn_cnt of the libstdc++ entry, one vna_next link, and the marker's versym slot.
        var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != result.Image[i]).ToList();
        var versym = original.VersionSymbolSection!;
        var verneed = original.VersionNeedSection!;
        Assert.All(differing, i => Assert.True(
            (i >= (long)versym.Offset && i < (long)(versym.Offset + versym.Size)) || (i >= (long)verneed.Offset && i < (long)(verneed.Offset + verneed.Size)),
            $"byte {i} changed outside .gnu.version and .gnu.version_r"));
        Assert.InRange(differing.Count, 2, 2 + 4 + 2);
    }

    [Fact]
    public void Remove_NeverModifiesTheInput()
    {
        var hashBefore = SHA256.HashData(File.ReadAllBytes(PackagedLibrary));
        var image = ElfImage.Load(PackagedLibrary);
        var bytesBefore = image.Bytes.ToArray();
        _ = VersionRequirementRemover.Remove(image, "libstdc++.so.6", "GLIBCXX_3.4.32", new HashSet<string> { Marker });
        Assert.Equal(bytesBefore, image.Bytes.ToArray());
        Assert.Equal(hashBefore, SHA256.HashData(File.ReadAllBytes(PackagedLibrary)));
    }

    [Fact]
    public void Remove_VersionUsedByRealFunctions_IsRefusedNamingThem()
    {
        var image = ElfImage.Load(PackagedLibrary);
        var error = Assert.Throws<ElfFormatException>(() =>
            VersionRequirementRemover.Remove(image, "libstdc++.so.6", "GLIBCXX_3.4.30", new HashSet<string> { Marker }));
        Assert.Contains("GLIBCXX_3.4.30 of libstdc++.so.6 is used by symbols not known to be safe to unversion: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_FirstVersionOfAnEntry_RelinksTheEntryToTheSecond()
    {
        var image = ElfImage.Load(PackagedLibrary);
        var need = image.VersionNeeds.Single(n => n.File == "libstdc++.so.6");
        var first = need.Versions[0];
        var users = image.DynamicSymbols.Where(s => s.VersionIndex == first.Index).Select(s => s.Name).ToHashSet();

        var result = VersionRequirementRemover.Remove(image, "libstdc++.so.6", first.Name, users);
        var patched = ElfImage.Parse(result.Image, "patched");

        Assert.Equal(need.Versions.Skip(1).Select(v => v.Name), patched.VersionNeeds.Single(n => n.File == "libstdc++.so.6").Versions.Select(v => v.Name));
    }

    [Fact]
    public void Remove_UnknownVersion_IsRefused()
    {
        var image = ElfImage.Load(PackagedLibrary);
        var error = Assert.Throws<ElfFormatException>(() =>
            VersionRequirementRemover.Remove(image, "libstdc++.so.6", "GLIBCXX_9.9", new HashSet<string>()));
        Assert.Equal("libstdc++.so.6 is not required at version GLIBCXX_9.9", error.Detail);
    }

    [Theory]
    [InlineData("not elf", "not an ELF file (bad magic)")]
    [InlineData("class32", "only 64-bit ELF (ELFCLASS64) is supported")]
    [InlineData("bigendian", "only little-endian ELF (ELFDATA2LSB) is supported")]
    [InlineData("executable", "not a shared object (e_type 2, expected ET_DYN)")]
    [InlineData("truncated", "section header table lies outside the file")]
    [InlineData("verneed-count", ".gnu.version_r declares 6 entries but holds 5")]
    public void Parse_LayoutItDoesNotUnderstand_IsRejectedWithTheReason(string corruption, string detail)
    {
        var bytes = File.ReadAllBytes(PackagedLibrary);
        switch (corruption)
        {
            case "not elf": bytes = "RIFF...."u8.ToArray().Concat(new byte[100]).ToArray(); break;
            case "class32": bytes[4] = 1; break;
            case "bigendian": bytes[5] = 2; break;
            case "executable": bytes[16] = 2; break;
            case "truncated": bytes = bytes[..(bytes.Length / 2)]; break;
            case "verneed-count":
                var image = ElfImage.Parse(bytes, "x");
                var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40));
                var header = shoff + (image.VersionNeedSection!.Index * 64);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(header + 44), 6);
                break;
        }

        var error = Assert.Throws<ElfFormatException>(() => ElfImage.Parse(bytes, "lib.so"));
        Assert.Equal(detail, error.Detail);
        Assert.Equal($"lib.so: {detail}", error.Message);
    }
}
