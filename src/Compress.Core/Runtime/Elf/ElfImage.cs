using System.Buffers.Binary;
using System.Text;

namespace Compress.Runtime.Elf;

/// <summary>One section header of an ELF64 image (offsets and sizes in bytes).</summary>
public sealed record ElfSection(int Index, string Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

/// <summary>One auxiliary entry of <c>.gnu.version_r</c>: a version of <see cref="ElfVersionNeed.File"/> that the image needs.</summary>
/// <param name="Name">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index (<c>vna_other</c>) that <c>.gnu.version</c> entries refer to.</param>
/// <param name="Flags">Its <c>vna_flags</c> (e.g. <c>VER_FLG_WEAK</c>).</param>
/// <param name="Offset">File offset of this <c>Elf64_Vernaux</c> record.</param>
/// <param name="Next">Its <c>vna_next</c> field: bytes from this record to the next one, 0 for the last.</param>
public sealed record ElfVersionAux(string Name, ushort Index, ushort Flags, long Offset, uint Next);

/// <summary>One entry of <c>.gnu.version_r</c>: a library and the versions of it the image needs.</summary>
/// <param name="File">The needed library, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Offset">File offset of this <c>Elf64_Verneed</c> record.</param>
/// <param name="Versions">The versions needed, in chain order.</param>
public sealed record ElfVersionNeed(string File, long Offset, IReadOnlyList<ElfVersionAux> Versions);

/// <summary>One <c>.dynsym</c> entry with its <c>.gnu.version</c> index (bit 15, "hidden", masked off).</summary>
public sealed record ElfDynamicSymbol(int Index, string Name, bool IsDefined, ushort VersionIndex);

/// <summary>
/// A strict reader for the parts of a little-endian ELF64 shared object that dynamic version checking uses:
/// section headers, <c>.dynamic</c> (NEEDED, SONAME), <c>.dynsym</c>, <c>.gnu.version</c>,
/// <c>.gnu.version_r</c> and <c>.gnu.version_d</c>. Anything outside what it checks — a second
/// version section, an offset past the end, a count that does not match — is an <see cref="ElfFormatException"/>,
/// never a guess.
/// </summary>
public sealed class ElfImage
{
    /// <summary><c>SHT_DYNSYM</c>.</summary>
    public const uint SectionDynSym = 11;
    /// <summary><c>SHT_DYNAMIC</c>.</summary>
    public const uint SectionDynamic = 6;
    /// <summary><c>SHT_STRTAB</c>.</summary>
    public const uint SectionStringTable = 3;
    /// <summary><c>SHT_GNU_verdef</c>.</summary>
    public const uint SectionVerDef = 0x6ffffffd;
    /// <summary><c>SHT_GNU_verneed</c>.</summary>
    public const uint SectionVerNeed = 0x6ffffffe;
    /// <summary><c>SHT_GNU_versym</c>.</summary>
    public const uint SectionVerSym = 0x6fffffff;

    private const int VerNeedSize = 16;
    private const int VernAuxSize = 16;
    private const int VerDefSize = 20;
    private const int VerdAuxSize = 8;
    private const int SymbolSize = 24;

    private readonly byte[] _data;

    private ElfImage(string path, byte[] data)
    {
        Path = path;
        _data = data;
    }

    /// <summary>The file this image was read from (for messages).</summary>
    public string Path { get; }

    /// <summary>The raw bytes of the image.</summary>
    public ReadOnlyMemory<byte> Bytes => _data;

    /// <summary>All section headers, in file order.</summary>
    public IReadOnlyList<ElfSection> Sections { get; private set; } = [];

    /// <summary><c>DT_NEEDED</c> entries, in order.</summary>
    public IReadOnlyList<string> Needed { get; private set; } = [];

    /// <summary><c>DT_SONAME</c>, if present.</summary>
    public string? SoName { get; private set; }

    /// <summary>The parsed <c>.gnu.version_r</c> chain (empty when the section is absent).</summary>
    public IReadOnlyList<ElfVersionNeed> VersionNeeds { get; private set; } = [];

    /// <summary>Version names defined in <c>.gnu.version_d</c> (empty when absent).</summary>
    public IReadOnlyList<string> VersionDefinitions { get; private set; } = [];

    /// <summary>The dynamic symbols with their version indices (index 0 is the null symbol).</summary>
    public IReadOnlyList<ElfDynamicSymbol> DynamicSymbols { get; private set; } = [];

    /// <summary>The <c>.gnu.version</c> section, if present.</summary>
    public ElfSection? VersionSymbolSection { get; private set; }

    /// <summary>The <c>.gnu.version_r</c> section, if present.</summary>
    public ElfSection? VersionNeedSection { get; private set; }

    /// <summary>Reads and validates an image from a file.</summary>
    public static ElfImage Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Reads and validates an image from bytes. The array is kept, not copied.</summary>
    public static ElfImage Parse(byte[] data, string path)
    {
        var image = new ElfImage(path, data);
        image.Read();
        return image;
    }

    private void Read()
    {
        if (_data.Length < 64 || _data[0] != 0x7f || _data[1] != (byte)'E' || _data[2] != (byte)'L' || _data[3] != (byte)'F')
        {
            throw Fail("not an ELF file (bad magic)");
        }

        if (_data[4] != 2)
        {
            throw Fail("only 64-bit ELF (ELFCLASS64) is supported");
        }

        if (_data[5] != 1)
        {
            throw Fail("only little-endian ELF (ELFDATA2LSB) is supported");
        }

        if (_data[6] != 1 || U32(20) != 1)
        {
            throw Fail("unknown ELF version");
        }

        var type = U16(16);
        if (type != 3)
        {
            throw Fail($"not a shared object (e_type {type}, expected ET_DYN)");
        }

        var shoff = U64(40);
        var shentsize = U16(58);
        var shnum = U16(60);
        var shstrndx = U16(62);
        if (shentsize != 64)
        {
            throw Fail($"unexpected section header size {shentsize}");
        }

        if (shnum == 0 || shstrndx >= shnum)
        {
            throw Fail("section header table is missing or uses extended numbering");
        }

        CheckRange(shoff, (ulong)shnum * 64, "section header table");

        var raw = new (uint Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntSize)[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var at = (int)shoff + (i * 64);
            raw[i] = (U32(at), U32(at + 4), U64(at + 24), U64(at + 32), U32(at + 40), U32(at + 44), U64(at + 56));
            if (raw[i].Type != 8 /* SHT_NOBITS */ && raw[i].Type != 0)
            {
                CheckRange(raw[i].Offset, raw[i].Size, $"section {i}");
            }
        }

        var names = raw[shstrndx];
        var sections = new ElfSection[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var name = ReadString(names.Offset, names.Size, raw[i].Name, "section name table");
            sections[i] = new ElfSection(i, name, raw[i].Type, raw[i].Offset, raw[i].Size, raw[i].Link, raw[i].Info, raw[i].EntSize);
        }

        Sections = sections;
        var dynamic = Single(SectionDynamic, ".dynamic");
        var dynsym = Single(SectionDynSym, ".dynsym");
        var versym = Single(SectionVerSym, ".gnu.version");
        var verneed = Single(SectionVerNeed, ".gnu.version_r");
        var verdef = Single(SectionVerDef, ".gnu.version_d");

        if (dynamic is not null)
        {
            ReadDynamic(dynamic);
        }

        if (dynsym is not null)
        {
            ReadSymbols(dynsym, versym);
        }
        else if (versym is not null || verneed is not null)
        {
            throw Fail("symbol versioning sections without .dynsym");
        }

        if (verneed is not null)
        {
            VersionNeedSection = verneed;
            VersionNeeds = ReadVersionNeeds(verneed);
        }

        if (verdef is not null)
        {
            VersionDefinitions = ReadVersionDefinitions(verdef);
        }
    }

    private ElfSection? Single(uint type, string what)
    {
        ElfSection? found = null;
        foreach (var s in Sections)
        {
            if (s.Type != type)
            {
                continue;
            }

            if (found is not null)
            {
                throw Fail($"more than one {what} section");
            }

            found = s;
        }

        return found;
    }

    private ElfSection StringTableFor(ElfSection section, string what)
    {
        if (section.Link == 0 || section.Link >= Sections.Count || Sections[(int)section.Link].Type != SectionStringTable)
        {
            throw Fail($"{what} does not link to a string table");
        }

        return Sections[(int)section.Link];
    }

    private void ReadDynamic(ElfSection dynamic)
    {
        if (dynamic.EntrySize != 16 || dynamic.Size % 16 != 0)
        {
            throw Fail("unexpected .dynamic entry size");
        }

        var strtab = StringTableFor(dynamic, ".dynamic");
        var needed = new List<string>();
        for (ulong at = dynamic.Offset; at < dynamic.Offset + dynamic.Size; at += 16)
        {
            var tag = (long)U64((int)at);
            var value = U64((int)at + 8);
            if (tag == 0)
            {
                break;
            }

            if (tag == 1)
            {
                needed.Add(ReadString(strtab.Offset, strtab.Size, (uint)value, ".dynstr"));
            }
            else if (tag == 14)
            {
                SoName = ReadString(strtab.Offset, strtab.Size, (uint)value, ".dynstr");
            }
        }

        Needed = needed;
    }

    private void ReadSymbols(ElfSection dynsym, ElfSection? versym)
    {
        if (dynsym.EntrySize != SymbolSize || dynsym.Size % SymbolSize != 0)
        {
            throw Fail("unexpected .dynsym entry size");
        }

        var strtab = StringTableFor(dynsym, ".dynsym");
        var count = (int)(dynsym.Size / SymbolSize);
        if (versym is not null)
        {
            if (versym.Link != dynsym.Index)
            {
                throw Fail(".gnu.version does not link to .dynsym");
            }

            if (versym.Size != (ulong)count * 2)
            {
                throw Fail($".gnu.version has {versym.Size / 2} entries for {count} dynamic symbols");
            }

            VersionSymbolSection = versym;
        }

        var symbols = new ElfDynamicSymbol[count];
        for (var i = 0; i < count; i++)
        {
            var at = (int)dynsym.Offset + (i * SymbolSize);
            var name = ReadString(strtab.Offset, strtab.Size, U32(at), ".dynstr");
            var shndx = U16(at + 6);
            var version = versym is null ? (ushort)1 : (ushort)(U16((int)versym.Offset + (i * 2)) & 0x7fff);
            symbols[i] = new ElfDynamicSymbol(i, name, shndx != 0, version);
        }

        DynamicSymbols = symbols;
    }

    private List<ElfVersionNeed> ReadVersionNeeds(ElfSection section)
    {
        var strtab = StringTableFor(section, ".gnu.version_r");
        var result = new List<ElfVersionNeed>();
        var end = section.Offset + section.Size;
        var at = section.Offset;
        for (var n = 0; ; n++)
        {
            if (n >= 4096)
            {
                throw Fail(".gnu.version_r chain does not end");
            }

            if (at + VerNeedSize > end)
            {
                throw Fail(".gnu.version_r entry runs past its section");
            }

            var p = (int)at;
            var version = U16(p);
            var cnt = U16(p + 2);
            var file = ReadString(strtab.Offset, strtab.Size, U32(p + 4), ".dynstr");
            var auxOffset = U32(p + 8);
            var next = U32(p + 12);
            if (version != 1)
            {
                throw Fail($".gnu.version_r entry for {file} has unknown version {version}");
            }

            var auxes = new List<ElfVersionAux>(cnt);
            var a = at + auxOffset;
            for (var k = 0; k < cnt; k++)
            {
                if (a + VernAuxSize > end)
                {
                    throw Fail($".gnu.version_r auxiliary entry for {file} runs past its section");
                }

                var q = (int)a;
                var flags = U16(q + 4);
                var index = U16(q + 6);
                var name = ReadString(strtab.Offset, strtab.Size, U32(q + 8), ".dynstr");
                var auxNext = U32(q + 12);
                auxes.Add(new ElfVersionAux(name, index, flags, q, auxNext));
                if (auxNext == 0 && k != cnt - 1)
                {
                    throw Fail($".gnu.version_r entry for {file} says {cnt} versions but lists {k + 1}");
                }

                a += auxNext;
            }

            result.Add(new ElfVersionNeed(file, (long)at, auxes));
            if (next == 0)
            {
                break;
            }

            at += next;
        }

        if (section.Info != 0 && section.Info != result.Count)
        {
            throw Fail($".gnu.version_r declares {section.Info} entries but holds {result.Count}");
        }

        return result;
    }

    private List<string> ReadVersionDefinitions(ElfSection section)
    {
        var strtab = StringTableFor(section, ".gnu.version_d");
        var names = new List<string>();
        var end = section.Offset + section.Size;
        var at = section.Offset;
        for (var n = 0; ; n++)
        {
            if (n >= 4096 || at + VerDefSize > end)
            {
                throw Fail(".gnu.version_d is malformed");
            }

            var p = (int)at;
            var cnt = U16(p + 6);
            var aux = U32(p + 12);
            var next = U32(p + 16);
            if (cnt > 0)
            {
                var a = at + aux;
                if (a + VerdAuxSize > end)
                {
                    throw Fail(".gnu.version_d auxiliary entry runs past its section");
                }

                // The first auxiliary entry names the version; later ones name its parents.
                names.Add(ReadString(strtab.Offset, strtab.Size, U32((int)a), ".dynstr"));
            }

            if (next == 0)
            {
                break;
            }

            at += next;
        }

        return names;
    }

    private string ReadString(ulong tableOffset, ulong tableSize, uint index, string what)
    {
        if (index >= tableSize)
        {
            throw Fail($"string index {index} outside {what}");
        }

        var start = (int)(tableOffset + index);
        var limit = (int)(tableOffset + tableSize);
        var end = Array.IndexOf(_data, (byte)0, start, limit - start);
        if (end < 0)
        {
            throw Fail($"unterminated string in {what}");
        }

        return Encoding.UTF8.GetString(_data, start, end - start);
    }

    private void CheckRange(ulong offset, ulong size, string what)
    {
        if (offset > (ulong)_data.Length || size > (ulong)_data.Length - offset)
        {
            throw Fail($"{what} lies outside the file");
        }
    }

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(at, 2));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at, 4));

    private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(at, 8));

    private ElfFormatException Fail(string detail) => new(Path, detail);
}
