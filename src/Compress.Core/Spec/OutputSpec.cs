using Compress.Export;

namespace Compress.Spec;

/// <summary><c>output:</c> what is written when the gate passes. Paths are absolute.</summary>
public sealed record OutputSpec
{
    /// <summary>The compressed model. Default <c>&lt;model name&gt;.compressed.onnx</c> next to the spec.</summary>
    public required string Path { get; init; }

    /// <summary>How zeros are stored. Default <see cref="StorageMode.Sparse"/>.</summary>
    public StorageMode Storage { get; init; } = StorageMode.Sparse;

    /// <summary>Compression of the bytes that get embedded. Default <see cref="EmbeddedCompression.None"/>.</summary>
    public EmbeddedCompression Compress { get; init; } = EmbeddedCompression.None;

    /// <summary>
    /// Reversible transform before <see cref="Compress"/>. Default <see cref="EmbeddedFilter.Shuffle"/> when compressing,
    /// <see cref="EmbeddedFilter.None"/> otherwise.
    /// </summary>
    public EmbeddedFilter Filter { get; init; } = EmbeddedFilter.None;

    /// <summary>Folder for report.json, report.md and the plots. Default <c>compress-report</c> next to the spec.</summary>
    public required string Report { get; init; }

    /// <summary><c>output.batch</c>: the exported model's batch dimension. Default <see cref="ExportBatch.Keep"/> (as the input model declares it).</summary>
    public ExportBatch Batch { get; init; } = ExportBatch.Keep;

    /// <summary>Where the <c>output:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
