using System.Buffers.Binary;

namespace Compress.Runtime.Elf;

/// <summary>
/// Removes one version requirement (e.g. <c>GLIBCXX_3.4.32</c> of <c>libstdc++.so.6</c>) from a shared object:
/// the <c>Elf64_Vernaux</c> record is unlinked from its <c>.gnu.version_r</c> chain (its bytes stay, unreferenced),
/// the entry's <c>vn_cnt</c> drops by one, and every <c>.gnu.version</c> slot that named it becomes 1
/// (<c>VER_NDX_GLOBAL</c>), so the dynamic loader binds those symbols without a version check.
/// The image keeps its size and every other byte. The edit is refused unless each symbol that used the
/// version is one the caller declared safe, i.e. known never to be called.
/// </summary>
public static class VersionRequirementRemover
{
    /// <summary>The result of <see cref="Remove"/>: the edited bytes and what changed.</summary>
    /// <param name="Image">The edited image (a new array of the same length).</param>
    /// <param name="Index">The version index that was removed.</param>
    /// <param name="RetaggedSymbols">Names of the dynamic symbols whose version became global.</param>
    public sealed record Result(byte[] Image, ushort Index, IReadOnlyList<string> RetaggedSymbols);

    /// <summary>
    /// Returns a copy of <paramref name="image"/> without the requirement of <paramref name="version"/> from
    /// <paramref name="file"/>. Throws <see cref="ElfFormatException"/> when the image lacks it, when removing it
    /// would empty the library's entry, or when a symbol outside <paramref name="safeSymbols"/> uses it.
    /// </summary>
    public static Result Remove(ElfImage image, string file, string version, IReadOnlySet<string> safeSymbols)
    {
        ArgumentNullException.ThrowIfNull(image);
        var need = image.VersionNeeds.FirstOrDefault(n => n.File == file)
            ?? throw new ElfFormatException(image.Path, $"no version requirement on {file}");
        var position = -1;
        for (var i = 0; i < need.Versions.Count; i++)
        {
            if (need.Versions[i].Name == version)
            {
                position = i;
                break;
            }
        }

        if (position < 0)
        {
            throw new ElfFormatException(image.Path, $"{file} is not required at version {version}");
        }

        if (need.Versions.Count == 1)
        {
            throw new ElfFormatException(image.Path, $"{version} is the only version of {file} required; removing the whole entry is not supported");
        }

        var target = need.Versions[position];
        if (image.VersionNeeds.SelectMany(n => n.Versions).Count(v => v.Index == target.Index) != 1)
        {
            throw new ElfFormatException(image.Path, $"version index {target.Index} is shared by several requirements");
        }

        var users = image.DynamicSymbols.Where(s => s.Index != 0 && s.VersionIndex == target.Index).ToList();
        var unsafeUsers = users.Where(s => s.IsDefined || !safeSymbols.Contains(s.Name)).Select(s => s.Name).ToList();
        if (unsafeUsers.Count > 0)
        {
            throw new ElfFormatException(image.Path, $"{version} of {file} is used by symbols not known to be safe to unversion: {string.Join(", ", unsafeUsers)}");
        }

        if (image.VersionSymbolSection is null)
        {
            throw new ElfFormatException(image.Path, "no .gnu.version section");
        }

        var bytes = image.Bytes.ToArray();

        // Unlink the auxiliary record: the previous record (or the Verneed's vn_aux) skips over it.
        if (position == 0)
        {
            var vnAux = checked((int)need.Offset + 8);
            var old = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(vnAux));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(vnAux), checked(old + target.Next));
        }
        else
        {
            var previous = need.Versions[position - 1];
            var next = target.Next == 0 ? 0u : checked(previous.Next + target.Next);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(checked((int)previous.Offset + 12)), next);
        }

        var vnCnt = checked((int)need.Offset + 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(vnCnt), checked((ushort)(need.Versions.Count - 1)));

        var versym = (int)image.VersionSymbolSection.Offset;
        foreach (var symbol in users)
        {
            var slot = bytes.AsSpan(versym + (symbol.Index * 2), 2);
            var hidden = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(slot) & 0x8000);
            BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(hidden | 1));
        }

        return new Result(bytes, target.Index, users.Select(s => s.Name).ToList());
    }
}
