using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;

namespace Compress.Pipeline;

/// <summary>A run's plan with the model it compresses, loaded and hashed, and its pruning options checked against it.</summary>
/// <param name="ModelSha256">SHA-256 of the model file, lower-case hex: of the bytes <paramref name="Model"/> was parsed from.</param>
/// <param name="SpecFileSha256">SHA-256 of the spec file as read at the start of the run, lower-case hex (what the report and the manifest list; <see cref="PipelinePlan.SpecSha256"/> is the hash of the spec with its overrides, for the model's metadata).</param>
/// <param name="Model">The copy that trains and is measured (<see cref="TrainingTwin.Working"/>): one feature input, batched.</param>
/// <param name="Twin">How <paramref name="Model"/> was made from the file, and the way back to the file's signature.</param>
/// <param name="Head">The output trained and measured, and its head (its labels already checked; <see cref="PipelinePlan.Labels"/> are its classes).</param>
/// <param name="Device">The spec's <c>device</c>, resolved on this machine before anything else (CMP0107).</param>
internal sealed record PlannedRun(PipelinePlan Plan, ModelProto Model, string ModelSha256, string SpecFileSha256, PruningCheck Pruning, TrainingTwin Twin, OutputHead Head, Runtime.TrainingDevice Device)
{
    /// <summary>
    /// For a CTC recogniser, the run once its data is loaded: the plan's labels become the dataset's transcripts and
    /// the head spells each of them in tokens. A classifier's run is returned as it is.
    /// </summary>
    public PlannedRun WithTranscripts(IReadOnlyList<string> transcripts)
    {
        if (Head.Ctc is not { } ctc)
        {
            return this;
        }

        return this with { Plan = Plan with { Labels = [.. transcripts] }, Head = Head with { Ctc = SpecMapping.Spell(ctc, transcripts) } };
    }

    /// <summary>
    /// What the output's last axis holds, as the exported model's metadata and the app's manifest name it: the class
    /// labels, or a CTC recogniser's tokens (whose <see cref="PipelinePlan.Labels"/> are its transcripts).
    /// </summary>
    public IReadOnlyList<string> OutputLabels => Head.Ctc?.Tokens ?? Plan.Labels;
}

/// <summary>
/// Stage 1, <b>plan</b>: the spec becomes a <see cref="PipelinePlan"/>, the model file is read once — parsed (CMP20xx)
/// and hashed from the same bytes, as is the spec file, so no later stage reads or hashes either again — its constant
/// sub-graphs folded (<see cref="PrunableWeights.Prepare"/>) and its batched training copy made (<see cref="TrainingTwin"/>),
/// its output head is detected and checked against the labels (CMP1030–CMP1034), and the pruning and fine-tuning
/// options are checked against it (CMP4002–CMP4004, CMP4006 warnings) — all before any data is read. A one-label
/// sigmoid head turns the plan's labels into its two classes (<see cref="OutputHead.ClassesFor"/>).
/// The request's paths were checked by the caller (<c>SpecChecks.CheckPaths</c>); a model that disappeared since is
/// CMP2001 from the loader.
/// </summary>
internal static class PlanStage
{
    public static Result<PlannedRun> Run(PipelineRequest request, RunContext context)
    {
        var plan = SpecMapping.ToPlan(request);
        // First: `device: cuda` without CUDA fails before the model or any data is read.
        var device = Runtime.TrainingDevice.Resolve(request.Spec.Device, request.Spec.LocationOf("device"));
        if (device.Value is null)
        {
            return Result<PlannedRun>.Fail(device.Diagnostics);
        }

        context.Report(PipelineStage.Load, $"training on {device.Value.Name} ({device.Value.Reason})");
        context.Report(PipelineStage.Load, $"loading {plan.ModelPath}");
        // Folded once, here: baseline, training and export all see the weights as initializers (PrunableWeights.Prepare);
        // then the batched training copy of the folded model (TrainingTwin), whose head is what trains.
        var bytes = OnnxModelIO.ReadFile(plan.ModelPath);
        var modelSha256 = RunManifest.Hash(bytes);
        var loaded = OnnxModelIO.Load(bytes, plan.ModelPath);
        if (ModelInspector.QuantizedWeights(loaded) is { Count: > 0 } quantized)
        {
            return Result<PlannedRun>.Fail([ModelMessages.AlreadyQuantized(plan.ModelPath, [.. quantized.Select(q => q.Weight)])]);
        }

        var twin = TrainingTwin.Build(PrunableWeights.Prepare(loaded), plan.Inputs ?? ModelInputOptions.Default, plan.FrontEnd, plan.ModelPath);
        var model = twin.Working;
        var spec = request.Spec;
        var detected = OutputHead.Detect(model, plan.OutputName, spec.LocationOf(plan.OutputName is null ? "model" : "model.output"));
        if (detected.Value is not { } head)
        {
            return Result<PlannedRun>.Fail(detected.Diagnostics);
        }

        // A sigmoid score needs one or two labels before the data can even be labelled; a class-count mismatch of the
        // other heads is validate's CMP1032 (the run's stage tests plan models whose class count is not the labels').
        if (head.IsBinary && head.CheckLabels(plan.Labels, spec.LabelsLocation) is { } mismatch)
        {
            return Result<PlannedRun>.Fail([.. detected.Diagnostics, mismatch]);
        }

        if (plan.Ctc is { } ctc)
        {
            // A CTC recogniser's classes are its transcripts, known once the data is read (PlannedRun.WithTranscripts).
            head = head with { Ctc = ctc };
            return CheckPruning(plan, model, modelSha256, twin, head, device.Value, detected.Diagnostics);
        }

        var classes = head.ClassesFor(plan.Labels);
        plan = plan with { Labels = classes, Dataset = plan.Dataset with { Labels = classes } };
        return CheckPruning(plan, model, modelSha256, twin, head, device.Value, detected.Diagnostics);
    }

    private static Result<PlannedRun> CheckPruning(PipelinePlan plan, ModelProto model, string modelSha256, TrainingTwin twin, OutputHead head, Runtime.TrainingDevice device, IReadOnlyList<Diagnostic> found)
    {
        var check = PruningCheck.Run(model, plan.Pruning, plan.FineTune);
        var diagnostics = found.Concat(check.Diagnostics).ToList();
        return check.Failed
            ? Result<PlannedRun>.Fail(diagnostics)
            : Result<PlannedRun>.Ok(new PlannedRun(plan, model, modelSha256, RunManifest.HashFile(plan.SpecFile), check.Value!, twin, head, device), diagnostics);
    }
}
