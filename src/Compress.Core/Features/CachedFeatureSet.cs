using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using Compress.Data;
using Compress.Diagnostics;

namespace Compress.Features;

/// <summary>
/// A feature cache file, memory-mapped. Layout (little-endian): magic <c>CMPFEAT1</c>, int32 format version,
/// int32 count, int32 rank, int64 dims[rank], 32-byte key, int32 labels[count], zero padding to a multiple of 64,
/// then float32 features[count · product(dims)].
/// </summary>
public sealed class CachedFeatureSet : IFeatureSet
{
    /// <summary>Version of the file layout and of the code that computes its content; part of every key.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "CMPFEAT1"u8;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int[] _labels;
    private readonly long _dataOffset;
    private readonly int _itemElements;

    private CachedFeatureSet(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long[] shape, int[] labels, long dataOffset, bool reused, IReadOnlyList<Diagnostic> diagnostics)
    {
        CacheFile = path;
        _file = file;
        _view = view;
        ItemShape = shape;
        _labels = labels;
        _dataOffset = dataOffset;
        _itemElements = (int)shape.Aggregate(1L, (a, d) => a * d);
        Reused = reused;
        Diagnostics = diagnostics;
    }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public IReadOnlyList<long> ItemShape { get; }

    /// <summary>The cache file.</summary>
    public string CacheFile { get; }

    /// <summary>True when the file existed and nothing was computed.</summary>
    public bool Reused { get; }

    /// <summary>Warnings from building (e.g. CMP3203 when an unusable cache file was replaced).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc />
    public unsafe void ReadFeatures(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (destination.Length < _itemElements)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, an item has {_itemElements}", nameof(destination));
        }

        byte* pointer = null;
        var handle = _view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref pointer);
        try
        {
            new ReadOnlySpan<float>(pointer + _view.PointerOffset + _dataOffset + ((long)index * _itemElements * 4), _itemElements).CopyTo(destination);
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>The header bytes (up to the features) for a file with these labels.</summary>
    internal static byte[] Header(IReadOnlyList<long> shape, int[] labels, byte[] key)
    {
        var fixedLength = 8 + 4 + 4 + 4 + (8 * shape.Count) + 32 + (4 * labels.Length);
        var header = new byte[(fixedLength + 63) / 64 * 64];
        var s = header.AsSpan();
        Magic.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(s[12..], labels.Length);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], shape.Count);
        var at = 20;
        foreach (var d in shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s[at..], d);
            at += 8;
        }

        key.CopyTo(s[at..]);
        at += 32;
        foreach (var label in labels)
        {
            BinaryPrimitives.WriteInt32LittleEndian(s[at..], label);
            at += 4;
        }

        return header;
    }

    /// <summary>Opens a cache file, or null (with the reason) when it is not a complete file for this key and shape.</summary>
    internal static CachedFeatureSet? TryOpen(string path, IReadOnlyList<long> shape, int count, byte[] key, bool reused, IReadOnlyList<Diagnostic> diagnostics, out string? problem)
    {
        problem = null;
        var expected = Header(shape, new int[count], key);
        var itemBytes = 4 * shape.Aggregate(1L, (a, d) => a * d);
        int[] labels;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (stream.Length != expected.Length + (itemBytes * count))
            {
                problem = $"it has {stream.Length} bytes, expected {expected.Length + (itemBytes * count)}";
                return null;
            }

            var header = new byte[expected.Length];
            stream.ReadExactly(header);
            var keyEnd = 20 + (8 * shape.Count) + 32;
            if (!header.AsSpan(0, keyEnd).SequenceEqual(expected.AsSpan(0, keyEnd)))
            {
                problem = "its header does not match the key";
                return null;
            }

            labels = new int[count];
            for (var i = 0; i < count; i++)
            {
                labels[i] = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(keyEnd + (4 * i)));
            }
        }

        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new CachedFeatureSet(path, file, view, [.. shape], labels, expected.Length, reused, diagnostics);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
