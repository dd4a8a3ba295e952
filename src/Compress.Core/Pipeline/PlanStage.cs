using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;

namespace Compress.Pipeline;

/// <summary>A run's plan with the model it compresses, loaded and hashed, and its pruning options checked against it.</summary>
/// <param name="ModelSha256">SHA-256 of the model file, lower-case hex.</param>
/// <param name="Model">The copy that trains and is measured (<see cref="TrainingTwin.Working"/>): one feature input, batched.</param>
/// <param name="Twin">How <paramref name="Model"/> was made from the file, and the way back to the file's signature.</param>
internal sealed record PlannedRun(PipelinePlan Plan, ModelProto Model, string ModelSha256, PruningCheck Pruning, TrainingTwin Twin);

/// <summary>
/// Stage 1, <b>plan</b>: the spec becomes a <see cref="PipelinePlan"/>, the model is loaded (CMP20xx) and its constant
/// sub-graphs folded (<see cref="PrunableWeights.Prepare"/>), and the pruning
/// and fine-tuning options are checked against it (CMP4002–CMP4004, CMP4006 warnings) — all before any data is read.
/// The request's paths were checked by the caller (<c>SpecChecks.CheckPaths</c>); a model that disappeared since is
/// CMP2001 from the loader.
/// </summary>
internal static class PlanStage
{
    public static Result<PlannedRun> Run(PipelineRequest request, RunContext context)
    {
        var plan = SpecMapping.ToPlan(request);
        context.Report(PipelineStage.Load, $"loading {plan.ModelPath}");
        // Folded once, here: baseline, training and export all see the weights as initializers (PrunableWeights.Prepare);
        // then the batched training copy of the folded model (TrainingTwin).
        var twin = TrainingTwin.Build(PrunableWeights.Prepare(OnnxModelIO.Load(plan.ModelPath)), plan.Inputs ?? ModelInputOptions.Default, plan.FrontEnd, plan.ModelPath);
        var model = twin.Working;
        var check = PruningCheck.Run(model, plan.Pruning, plan.FineTune);
        return check.Failed
            ? Result<PlannedRun>.Fail(check.Diagnostics)
            : Result<PlannedRun>.Ok(new PlannedRun(plan, model, RunManifest.HashFile(plan.ModelPath), check.Value!, twin), check.Diagnostics);
    }
}
