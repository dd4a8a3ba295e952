using Compress.Diagnostics;
using Compress.IO;
using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Onnx;

/// <summary>
/// Reads and writes ONNX models. Loading parses the protobuf (unknown fields are kept and written back), checks
/// the IR version (<see cref="MinIrVersion"/>–<see cref="MaxIrVersion"/>) and the ai.onnx opset
/// (<see cref="MinOpset"/>–<see cref="MaxOpset"/>), reads external tensor data (<c>data_location = EXTERNAL</c>,
/// keys <c>location</c>, <c>offset</c>, <c>length</c>, relative to the model's folder) into <c>raw_data</c>, and
/// checks that every initializer's data fits its shape and type and that the graph is well formed
/// (<see cref="GraphStructure"/>: one producer per value, no undefined input, no cycle), all problems reported at once.
/// Every problem is a <see cref="CompressException"/> with CMP20xx/CMP2103 diagnostics naming the file; no other
/// exception escapes for bad input.
/// </summary>
public static class OnnxModelIO
{
    /// <summary>Lowest supported IR version (3: the first with opset imports).</summary>
    public const long MinIrVersion = 3;

    /// <summary>Highest supported IR version (11, what ONNX 1.18 writes and ONNX Runtime 1.31 reads).</summary>
    public const long MaxIrVersion = 11;

    /// <summary>Lowest supported ai.onnx opset.</summary>
    public const long MinOpset = 11;

    /// <summary>Highest supported ai.onnx opset.</summary>
    public const long MaxOpset = 21;

    /// <summary>Loads a model file; external data is resolved relative to the file's folder.</summary>
    public static ModelProto Load(string path) => Load(ReadFile(path), path);

    /// <summary>
    /// Loads a model from the bytes of the file at <paramref name="path"/> (read once by the caller, e.g. to hash the
    /// same bytes: <see cref="ReadFile"/>); <paramref name="path"/> names the model in diagnostics and external data is
    /// resolved relative to its folder.
    /// </summary>
    public static ModelProto Load(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(path);
        return Load(bytes.AsSpan(), path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>The bytes of the model file at <paramref name="path"/>; a missing or unreadable file is CMP2001.</summary>
    public static byte[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            if (Directory.Exists(path))
            {
                throw new CompressException(ModelMessages.ModelNotFound(path, "it is a folder, not a file"));
            }

            if (!File.Exists(path))
            {
                throw new CompressException(ModelMessages.ModelNotFound(path, "the file does not exist"));
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CompressException(ModelMessages.ModelNotFound(path, e.Message), e);
        }
    }

    /// <summary>
    /// Loads a model from a stream (read to its end). <paramref name="file"/> names the model in diagnostics;
    /// external data is resolved against <paramref name="baseDirectory"/>, or the folder of <paramref name="file"/>.
    /// </summary>
    public static ModelProto Load(Stream stream, string? file = null, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new CompressException(ModelMessages.ModelNotFound(file ?? "stream", e.Message), e);
        }

        return Load(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), file, baseDirectory);
    }

    /// <summary>
    /// Loads a model from its serialized bytes. <paramref name="file"/> names the model in diagnostics; external
    /// data is resolved against <paramref name="baseDirectory"/>, or the folder of <paramref name="file"/>.
    /// </summary>
    public static ModelProto Load(ReadOnlySpan<byte> bytes, string? file = null, string? baseDirectory = null)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CompressException(ModelMessages.NotOnnx(file, $"protobuf parse failed ({e.Message.TrimEnd('.')}); the file is truncated or not ONNX"), e);
        }

        if (model.Graph is null)
        {
            throw new CompressException(ModelMessages.NotOnnx(file, bytes.Length == 0 ? "it is empty" : "it has no graph"));
        }

        CheckVersions(model, file);
        var folder = baseDirectory ?? (file is null ? null : Path.GetDirectoryName(Path.GetFullPath(file)));
        ExternalData.Resolve(model, file, folder);
        var problems = InitializerCheck.Check(model.Graph, file).Concat(GraphStructure.Check(model.Graph, file)).ToList();
        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }

        return model;
    }

    /// <summary>The model's serialized bytes; the same model always gives the same bytes (unknown fields kept).</summary>
    public static byte[] Save(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (temp file + rename). Failure is CMP6002.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Save(model);
        try
        {
            AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CompressException(ExportMessages.WriteFailed(path, e.Message), e);
        }
    }

    private static void CheckVersions(ModelProto model, string? file)
    {
        if (model.IrVersion is < MinIrVersion or > MaxIrVersion)
        {
            throw new CompressException(ModelMessages.IrVersionOutOfRange(file, model.IrVersion, MinIrVersion, MaxIrVersion));
        }

        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => (long?)o.Version).FirstOrDefault();
        if (opset is null or < MinOpset or > MaxOpset)
        {
            throw new CompressException(ModelMessages.OpsetOutOfRange(file, opset, MinOpset, MaxOpset));
        }
    }
}
