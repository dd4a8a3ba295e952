using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.Features;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// Everything one run needs, resolved from the spec: absolute paths, the engines' option records, the gate and the
/// outputs. Built by <see cref="SpecMapping"/>; the pipeline never reads the spec itself.
/// </summary>
/// <param name="Prepend">Whether the exported (and the measured baseline) model gets the front end prepended, so it takes PCM.</param>
/// <param name="MaxTrials">With <paramref name="SearchMaxSparsity"/>: how many sparsities to try at most.</param>
/// <param name="FaPerHour">For <c>frr_at_fa_per_hour</c>: the false accepts per hour the threshold is chosen for.</param>
public sealed record PipelinePlan(
    string SpecFile,
    string SpecSha256,
    string ModelPath,
    IReadOnlyList<string> Labels,
    DatasetOptions Dataset,
    FrontEndOptions FrontEnd,
    bool Prepend,
    AugmentationOptions? Augmentation,
    string CacheFolder,
    PruningOptions Pruning,
    bool SearchMaxSparsity,
    int MaxTrials,
    FineTuneOptions FineTune,
    Gate Gate,
    GateLocation GateLocation,
    double FaPerHour,
    StorageMode Storage,
    EmbeddedCompression Compression,
    EmbeddedFilter Filter,
    string OutputPath,
    string? ReportFolder,
    string? ManifestPath,
    int Seed,
    int Threads);
