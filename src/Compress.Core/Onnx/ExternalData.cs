using System.Globalization;
using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Onnx;

/// <summary>
/// Reads tensors stored outside the model (<c>data_location = EXTERNAL</c>) into <c>raw_data</c>, so the rest of
/// Compress sees every tensor inline. Keys: <c>location</c> (a path relative to the model's folder, required),
/// <c>offset</c> and <c>length</c> in bytes (optional; without length the data runs to the end of the file).
/// Locations that are absolute or leave the folder are refused, as the ONNX checker does.
/// </summary>
internal static class ExternalData
{
    public static void Resolve(ModelProto model, string? file, string? folder)
    {
        foreach (var tensor in Tensors(model))
        {
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                Load(tensor, file, folder);
            }
        }
    }

    /// <summary>Every tensor of the model: initializers, sparse initializers and tensor attributes, in sub-graphs too.</summary>
    public static IEnumerable<TensorProto> Tensors(ModelProto model)
    {
        var graphs = new Stack<GraphProto>();
        if (model.Graph is not null)
        {
            graphs.Push(model.Graph);
        }

        var nodes = model.Functions.SelectMany(f => f.Node).ToList();
        while (graphs.Count > 0 || nodes.Count > 0)
        {
            if (graphs.Count > 0)
            {
                var graph = graphs.Pop();
                foreach (var t in graph.Initializer)
                {
                    yield return t;
                }

                foreach (var s in graph.SparseInitializer)
                {
                    foreach (var t in Parts(s))
                    {
                        yield return t;
                    }
                }

                nodes.AddRange(graph.Node);
            }

            foreach (var node in nodes)
            {
                foreach (var a in node.Attribute)
                {
                    if (a.T is not null)
                    {
                        yield return a.T;
                    }

                    foreach (var t in a.Tensors.Concat(a.SparseTensor is null ? [] : Parts(a.SparseTensor)).Concat(a.SparseTensors.SelectMany(Parts)))
                    {
                        yield return t;
                    }

                    if (a.G is not null)
                    {
                        graphs.Push(a.G);
                    }

                    foreach (var g in a.Graphs)
                    {
                        graphs.Push(g);
                    }
                }
            }

            nodes.Clear();
        }
    }

    private static IEnumerable<TensorProto> Parts(SparseTensorProto sparse) =>
        new[] { sparse.Values, sparse.Indices }.Where(t => t is not null);

    private static void Load(TensorProto tensor, string? file, string? folder)
    {
        var name = tensor.Name ?? "";
        // Untrusted input (found by fuzzing): a repeated key would make ToDictionary throw ArgumentException.
        var repeated = tensor.ExternalData.GroupBy(e => e.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw Error($"the key '{repeated.Key}' appears {repeated.Count()} times");
        }

        var keys = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!keys.TryGetValue("location", out var location) || location.Length == 0)
        {
            throw Error("it has no 'location' key");
        }

        if (folder is null)
        {
            throw Error($"'{location}' is relative to the model's folder, which is unknown (pass the file or base directory)");
        }

        // A character no path may hold (NUL) would make Path.GetFullPath throw ArgumentException (found by fuzzing).
        if (location.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw Error($"location '{location.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a character no path may contain");
        }

        if (Path.IsPathRooted(location))
        {
            throw Error($"location '{location}' is absolute; it must be relative to the model's folder");
        }

        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, location));
        if (!path.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Error($"location '{location}' leaves the model's folder");
        }

        if (LinkLeaving(root, path) is { } link)
        {
            throw Error($"location '{location}' leaves the model's folder through the symbolic link '{link}'");
        }

        var offset = Number("offset", 0);
        var length = Number("length", -1);
        try
        {
            if (!File.Exists(path))
            {
                throw Error($"the data file '{path}' does not exist");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var available = stream.Length - offset;
            if (available < 0 || (length >= 0 && length > available))
            {
                throw Error($"the data file '{path}' holds {stream.Length} bytes, too short for offset {offset} and length {(length < 0 ? "(to end)" : length.ToString(CultureInfo.InvariantCulture))}");
            }

            var count = length >= 0 ? length : available;
            if (count > int.MaxValue)
            {
                throw Error($"{count} bytes do not fit one tensor (2 GiB at most)");
            }

            var bytes = new byte[count];
            stream.Seek(offset, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompressException(ModelMessages.ExternalData(file, name, $"cannot read '{path}': {e.Message}"), e);
        }

        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
        return;

        long Number(string key, long fallback)
        {
            if (!keys.TryGetValue(key, out var text))
            {
                return fallback;
            }

            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error($"'{key}' is '{text}', not a non-negative integer");
        }

        CompressException Error(string detail) => new(ModelMessages.ExternalData(file, name, detail));
    }

    /// <summary>
    /// The first file or folder on the way from <paramref name="root"/> to <paramref name="path"/> that is a symbolic
    /// link resolving outside <paramref name="root"/>, or null: a link named like a data file must not read, say,
    /// <c>/etc/shadow</c> into a model that is then trained on and embedded.
    /// </summary>
    private static string? LinkLeaving(string root, string path)
    {
        var inside = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        var current = Path.TrimEndingDirectorySeparator(root);
        foreach (var part in Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !Path.GetFullPath(target).StartsWith(inside, StringComparison.Ordinal))
            {
                return current;
            }
        }

        return null;
    }
}
