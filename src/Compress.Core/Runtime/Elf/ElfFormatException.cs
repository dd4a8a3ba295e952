namespace Compress.Runtime.Elf;

/// <summary>The file is not an ELF image this reader fully understands; <see cref="Exception.Message"/> says why.</summary>
public sealed class ElfFormatException(string path, string detail)
    : Exception($"{path}: {detail}")
{
    /// <summary>The file that was being read.</summary>
    public string Path { get; } = path;

    /// <summary>What was wrong, without the file name.</summary>
    public string Detail { get; } = detail;
}
