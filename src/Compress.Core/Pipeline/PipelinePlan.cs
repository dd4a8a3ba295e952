using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.Features;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// Everything one run needs, resolved from the spec: absolute paths, the engines' option records, the gate and the
/// outputs. Built by <see cref="SpecMapping"/>; the pipeline never reads the spec itself.
/// </summary>
/// <param name="Prepend">Whether the exported (and the measured baseline) model gets the front end prepended, so it takes PCM.</param>
/// <param name="Inputs">Which input takes the features, their layout, the other inputs' values and the export's batch (<see cref="TrainingTwin"/>).</param>
/// <param name="MaxTrials">With <paramref name="SearchMaxSparsity"/>: how many sparsities to try at most.</param>
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
    StorageMode Storage,
    EmbeddedCompression Compression,
    EmbeddedFilter Filter,
    string OutputPath,
    string? ReportFolder,
    string? ManifestPath,
    int Seed,
    int Threads,
    ModelInputOptions? Inputs = null)
{
    /// <summary><c>quantize.weights</c>: how the exported weights are stored (default float32).</summary>
    public WeightQuantization Quantize { get; init; } = WeightQuantization.None;

    /// <summary><c>quantize.require_faster</c>: an int8 file not faster than the float export fails the run (CMP6006) instead of warning (CMP6007).</summary>
    public bool RequireFaster { get; init; }

    /// <summary>Where <c>quantize.require_faster</c> is written (CMP6006 points there).</summary>
    public ISourceLocation RequireFasterLocation { get; init; } = Spec.SpecLocation.None;

    /// <summary>Where <c>quantize:</c> is written (CMP6007 points there).</summary>
    public ISourceLocation QuantizeLocation { get; init; } = Spec.SpecLocation.None;

    /// <summary><c>quantize.activations</c>: int8 activations around the int8-weight operators (needs <see cref="Quantize"/> int8).</summary>
    public ActivationQuantization Activations { get; init; } = ActivationQuantization.None;

    /// <summary><c>quantize.calibration</c>: the training clips and method that calibrate int8 activations.</summary>
    public CalibrationOptions Calibration { get; init; } = new();

    /// <summary>
    /// <c>task: ctc</c>: how the output is read as a CTC recogniser (its <see cref="Graph.CtcHead.Targets"/> are filled in
    /// once the data's transcripts are loaded, and <see cref="Labels"/> become those transcripts). Null for classifiers.
    /// </summary>
    public Graph.CtcHead? Ctc { get; init; }

    /// <summary>The graph output named by <c>model.output</c> (null: chosen by <see cref="Graph.OutputHead.Detect"/>).</summary>
    public string? OutputName { get; init; }

    /// <summary>
    /// <c>task: wake_word</c>: the operating point (label, false accepts per hour) at which both models' false-reject rate
    /// and threshold are reported, and the compressed model's threshold is shipped in the manifest. Null otherwise.
    /// </summary>
    public Evaluation.FalseRejectRateMetric? WakeWord { get; init; }

    /// <summary>The model as it ships: a copy, with the front end in front when the spec asks for it.</summary>
    public ModelProto Ship(ModelProto model) => Prepend ? FrontEndGraph.Prepend(model, FrontEnd) : model.Clone();
}
