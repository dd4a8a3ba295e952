using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Compress.Pruning.Dependency;
using Compress.Training;

namespace Compress.Pruning;

/// <summary>
/// Pruning and fine-tuning options checked against a model once, before any data is loaded (CMP4002–CMP4004), with
/// what the check had to work out kept for training: the channel dependency graph (built once per run, its CMP4006
/// warnings reported once). <see cref="CompressionEngine.Run(PruningCheck, ITrainingData, ITrainingData, IProgress{TrainingProgress}?, CancellationToken, Graph.OutputHead?)"/>
/// trains from it without checking again.
/// </summary>
public sealed class PruningCheck
{
    private PruningCheck(ModelProto model, PruningOptions pruning, FineTuneOptions fineTune, DependencyGraph? dependencies)
    {
        Model = model;
        Pruning = pruning;
        FineTune = fineTune;
        Dependencies = dependencies;
    }

    /// <summary>The model the options were checked against.</summary>
    public ModelProto Model { get; }

    /// <summary>The checked pruning options.</summary>
    public PruningOptions Pruning { get; }

    /// <summary>The checked fine-tuning options.</summary>
    public FineTuneOptions FineTune { get; }

    /// <summary>The channel dependency graph (channel pruning only).</summary>
    public DependencyGraph? Dependencies { get; }

    /// <summary>Checks the options; the result carries every error and warning (CMP4006 included).</summary>
    public static Result<PruningCheck> Run(ModelProto model, PruningOptions pruning, FineTuneOptions fineTune)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pruning);
        ArgumentNullException.ThrowIfNull(fineTune);
        return Check(model, pruning, fineTune, null);
    }

    /// <summary>The same check for another target sparsity (a <c>target_sparsity: max</c> trial), reusing the dependency graph.</summary>
    public Result<PruningCheck> WithTargetSparsity(double targetSparsity) =>
        Check(Model, Pruning with { TargetSparsity = targetSparsity }, FineTune, Dependencies);

    private static Result<PruningCheck> Check(ModelProto model, PruningOptions pruning, FineTuneOptions fineTune, DependencyGraph? known)
    {
        var dependencies = known;
        var problems = PruningValidator.Validate(model, pruning, () => dependencies ??= DependencyGraph.Build(model, pruning))
            .Concat(PruningValidator.Validate(fineTune))
            .ToList();

        // The graph's warnings are reported by the check that built it, not again by a reused one.
        var warnings = known is null && dependencies is not null ? dependencies.Warnings : [];
        return Result<PruningCheck>.OkUnless([.. problems, .. warnings], () => new PruningCheck(model, pruning, fineTune, dependencies));
    }
}
