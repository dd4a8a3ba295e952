using Compress.Diagnostics;
using Compress.Export;

namespace Compress.Spec.Parsing;

/// <summary>Reads <c>output:</c>; the default model path is <c>&lt;model name&gt;.compressed.onnx</c> next to the spec.</summary>
internal static class OutputReader
{
    public static OutputSpec Read(SpecContext context, SectionReader root, ModelSpec? model)
    {
        var r = root.Section("output");
        var stem = model is null ? "model" : Path.GetFileNameWithoutExtension(model.Path);
        var compress = r.Enum("compress", EmbeddedCompression.None);
        var filter = r.Enum("filter", compress == EmbeddedCompression.None ? EmbeddedFilter.None : EmbeddedFilter.Shuffle);
        if (filter != EmbeddedFilter.None && compress == EmbeddedCompression.None)
        {
            context.Add(SpecMessages.Contradiction(r.At("filter"), "'output.filter: shuffle' only helps a compressor; set 'output.compress' to brotli or gzip, or remove the filter"));
        }

        var spec = new OutputSpec
        {
            Path = ModelReader.RequirePath(context, r, "path") ?? context.Resolve(stem + ".compressed.onnx"),
            Storage = r.Enum("storage", StorageMode.Sparse),
            Compress = compress,
            Filter = filter,
            Report = ModelReader.RequirePath(context, r, "report") ?? context.Resolve("compress-report"),
            Batch = r.Enum("batch", ExportBatch.Keep),
            Location = r.Location,
        };
        if (model is not null && string.Equals(spec.Path, model.Path, StringComparison.Ordinal))
        {
            context.Add(SpecMessages.Contradiction(r.At("path"), "'output.path' is the input model; the compressed model must go to another file"));
        }

        r.Finish();
        return spec;
    }
}
