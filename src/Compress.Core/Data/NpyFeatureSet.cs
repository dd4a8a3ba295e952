using System.IO.MemoryMappedFiles;
using Compress.Diagnostics;

namespace Compress.Data;

/// <summary>
/// Features from a memory-mapped float32 or float16 <c>.npy</c> array [N, ...]; items are the rows listed in
/// <see cref="Rows"/> (a split's subset), labels come from an int array [N] read once (4 bytes a row). Rows are
/// read on demand, so memory does not grow with N.
/// </summary>
public sealed class NpyFeatureSet : IFeatureSet
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly NpyHeader _header;
    private readonly int[] _labels;
    private readonly int[] _rows;
    private readonly long _itemElements;

    private NpyFeatureSet(MemoryMappedFile file, MemoryMappedViewAccessor view, NpyHeader header, int[] labels, int[] rows)
    {
        _file = file;
        _view = view;
        _header = header;
        _labels = labels;
        _rows = rows;
        ItemShape = header.Shape.Skip(1).ToArray();
        _itemElements = ItemShape.Aggregate(1L, (a, d) => a * d);
    }

    /// <inheritdoc />
    public int Count => _rows.Length;

    /// <inheritdoc />
    public IReadOnlyList<long> ItemShape { get; }

    /// <summary>Row of the array for each item.</summary>
    public IReadOnlyList<int> Rows => _rows;

    /// <summary>
    /// Opens <paramref name="featuresPath"/> (float32/float16, ≥ 2 dimensions) with labels from
    /// <paramref name="labelsPath"/> (any integer dtype, [N], values in 0..<paramref name="labelCount"/>−1); all rows
    /// when <paramref name="rows"/> is null. Throws CMP3104 for arrays that do not fit.
    /// </summary>
    public static NpyFeatureSet Open(string featuresPath, string labelsPath, int labelCount, IReadOnlyList<int>? rows = null)
    {
        var header = NpyHeader.Read(featuresPath);
        if (header.Kind != 'f' || header.ElementSize is not (2 or 4) || header.Shape.Count < 2)
        {
            throw new CompressException(DataMessages.NpyInvalid(featuresPath, $"features must be float32 or float16 [N, ...], not {header.Descr} [{string.Join(", ", header.Shape)}]"));
        }

        var labels = ReadLabels(labelsPath, labelCount);
        if (labels.Length != header.Shape[0])
        {
            throw new CompressException(DataMessages.NpyInvalid(labelsPath, $"{labels.Length} labels for {header.Shape[0]} feature rows in {featuresPath}"));
        }

        var selected = rows?.ToArray() ?? [.. Enumerable.Range(0, labels.Length)];
        var file = MemoryMappedFile.CreateFromFile(featuresPath, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new NpyFeatureSet(file, view, header, labels, selected);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads an integer label array [N] and checks every value is a valid label index.</summary>
    public static int[] ReadLabels(string path, int labelCount)
    {
        var header = NpyHeader.Read(path);
        if (header.Kind is not ('i' or 'u') || header.Shape.Count != 1 || header.ElementSize is not (1 or 2 or 4 or 8))
        {
            throw new CompressException(DataMessages.NpyInvalid(path, $"labels must be an integer array [N], not {header.Descr} [{string.Join(", ", header.Shape)}]"));
        }

        var bytes = new byte[header.ElementCount * header.ElementSize];
        using (var stream = File.OpenRead(path))
        {
            stream.Position = header.DataOffset;
            stream.ReadExactly(bytes);
        }

        var labels = new int[header.ElementCount];
        for (var i = 0; i < labels.Length; i++)
        {
            var at = bytes.AsSpan(i * header.ElementSize, header.ElementSize);
            long value = (header.Kind, header.ElementSize) switch
            {
                ('i', 1) => (sbyte)at[0],
                ('u', 1) => at[0],
                ('i', 2) => BitConverter.ToInt16(at),
                ('u', 2) => BitConverter.ToUInt16(at),
                ('i', 4) => BitConverter.ToInt32(at),
                ('u', 4) => BitConverter.ToUInt32(at),
                _ => BitConverter.ToInt64(at),
            };
            if (value < 0 || value >= labelCount)
            {
                throw new CompressException(DataMessages.NpyInvalid(path, $"label {value} at row {i} is outside 0..{labelCount - 1} (the spec lists {labelCount} labels)"));
            }

            labels[i] = (int)value;
        }

        return labels;
    }

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[_rows[index]];

    /// <inheritdoc />
    public unsafe void ReadFeatures(int index, Span<float> destination)
    {
        if (destination.Length < _itemElements)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, an item has {_itemElements}", nameof(destination));
        }

        var offset = _header.DataOffset + (_rows[index] * _itemElements * _header.ElementSize);
        byte* pointer = null;
        var handle = _view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref pointer);
        try
        {
            var start = pointer + _view.PointerOffset + offset;
            if (_header.ElementSize == 4)
            {
                new ReadOnlySpan<float>(start, (int)_itemElements).CopyTo(destination);
            }
            else
            {
                var halves = new ReadOnlySpan<Half>(start, (int)_itemElements);
                for (var i = 0; i < halves.Length; i++)
                {
                    destination[i] = (float)halves[i];
                }
            }
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
}
