using System.Text.Json;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.Features;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>One pruning + fine-tuning run, exported, verified and measured.</summary>
/// <param name="Shipped">The exported model as it ships (what <see cref="Bytes"/> serialise).</param>
/// <param name="Value">The gate metric's value on <see cref="Measurement"/>.</param>
/// <param name="QuantizedTensors">How many weights <see cref="Bytes"/> store as int8 (<c>quantize.weights: int8</c>; 0 otherwise).</param>
/// <param name="QuantizedActivations">How many activations pass through a uint8 QDQ pair (<c>quantize.activations: int8</c>; 0 otherwise).</param>
internal sealed record Attempt(CompressionResult Result, ModelProto Shipped, byte[] Bytes, OrtMeasurement Measurement, double Value, GateOutcome Gate, int QuantizedTensors = 0, int QuantizedActivations = 0)
{
    /// <summary>The model ONNX Runtime measured (the batched training copy as exported; <see cref="Shipped"/> when the file keeps its signature).</summary>
    public required ModelProto MeasuredModel { get; init; }

    /// <summary>The serialised <see cref="MeasuredModel"/>.</summary>
    public required byte[] MeasuredBytes { get; init; }

    /// <summary>When weights were quantized: <see cref="MeasuredModel"/> exported without quantization (same storage), the float file int8's latency is compared with; null otherwise.</summary>
    public byte[]? FloatBytes { get; init; }
}

/// <summary>What calibrates int8 activations: the clips (the training split) and the float model that takes them, when not the shipped one.</summary>
internal readonly record struct CalibrationInput(ModelProto? Model, IFeatureSet Clips);

/// <summary>The shipped model as <c>quantize:</c> stores it, with the activation ranges calibrated (null without int8 activations).</summary>
internal sealed record QuantizedExport(ModelProto Model, int Tensors, int Activations, IReadOnlyDictionary<string, ActivationRange>? Ranges);

/// <summary>One attempt of <c>target_sparsity: max</c>: the target it was pruned to and what it reached.</summary>
/// <param name="Target">The target sparsity asked for (a fraction of the prunable weights).</param>
/// <param name="Sparsity">The total sparsity reached (<see cref="CompressionResult.TotalSparsity"/>).</param>
/// <param name="Value">The gate metric's value measured by ONNX Runtime on the exported model.</param>
/// <param name="Passed">Whether the gate passed.</param>
internal sealed record SparsityTrial(double Target, double Sparsity, double Value, bool Passed);

/// <summary>The attempt to ship (the sparsest that passes, else the best tried) and every <c>target_sparsity: max</c> trial.</summary>
internal sealed record AttemptSearch(Attempt Chosen, IReadOnlyList<SparsityTrial> Trials);

/// <summary>
/// Stage 4, <b>attempt</b>: prunes and fine-tunes at the target sparsity — or, for <c>target_sparsity: max</c>, at an
/// ascending, bounded list of sparsities — exports each result into the original ModelProto, checks ONNX Runtime
/// reproduces the executor on the exported bytes (CMP6001), measures them and applies the gate.
/// </summary>
internal sealed class AttemptStage(string toolVersion)
{
    public Result<AttemptSearch> Run(PlannedRun run, PreparedData data, Baseline baseline, RunContext context)
    {
        var plan = run.Plan;
        var diagnostics = new List<Diagnostic>();
        var trials = new List<SparsityTrial>();
        Attempt? best = null;
        foreach (var sparsity in SparsityPlan(plan))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var check = plan.SearchMaxSparsity ? run.Pruning.WithTargetSparsity(sparsity) : Result<PruningCheck>.Ok(run.Pruning);
            diagnostics.AddRange(check.Diagnostics);
            if (check.Failed)
            {
                return Result<AttemptSearch>.Fail(diagnostics);
            }

            var attempt = Try(run, check.Value!, data, baseline, context);
            diagnostics.AddRange(attempt.Diagnostics);
            if (attempt.Value is not { } tried)
            {
                return Result<AttemptSearch>.Fail(diagnostics);
            }

            if (plan.SearchMaxSparsity)
            {
                trials.Add(new SparsityTrial(sparsity, tried.Result.TotalSparsity, tried.Value, tried.Gate.Passed));
                context.Report(PipelineStage.Gate, $"trial at sparsity {tried.Result.TotalSparsity:0.000}: {plan.Gate.Metric.Name} {tried.Value:0.0000} {(tried.Gate.Passed ? "passes" : "fails")}");
            }

            if (best is null || (tried.Gate.Passed && (!best.Gate.Passed || tried.Result.TotalSparsity > best.Result.TotalSparsity)))
            {
                best = tried;
            }

            if (!plan.SearchMaxSparsity)
            {
                break;
            }
        }

        context.StageDone("train+export+evaluate");
        return Result<AttemptSearch>.Ok(new AttemptSearch(best!, trials), diagnostics);
    }

    /// <summary>One attempt with <paramref name="pruning"/>.</summary>
    internal Result<Attempt> Try(PlannedRun run, PruningCheck pruning, PreparedData data, Baseline baseline, RunContext context)
    {
        var plan = run.Plan;
        var trainingProgress = new Progress<TrainingProgress>(p => context.Progress.Report(ProgressUpdate.Training(p)));
        var result = new CompressionEngine().Run(pruning, new FeatureSetTrainingData(data.Train, run.Model), new FeatureSetTrainingData(data.Validation, run.Model), trainingProgress, context.Cancellation, run.Head);
        if (result.OneDnn is { Setting: "auto" } oneDnn)
        {
            context.Report(PipelineStage.Train, $"libtorch oneDNN was {oneDnn.Reason} ({oneDnn.Seconds:0.0} s)");
        }

        context.Report(PipelineStage.Export, $"exporting ({plan.Storage}, sparsity {result.TotalSparsity:0.000})");
        var metadata = new ModelMetadata(
            run.OutputLabels,
            plan.FrontEnd.SampleRate,
            plan.Prepend || plan.FrontEnd.Kind != FrontEndKind.None ? JsonSerializer.Serialize(plan.FrontEnd) : null,
            result.TotalSparsity,
            run.ModelSha256,
            plan.SpecSha256,
            toolVersion);
        var warnings = new List<Diagnostic>();
        var weights = PrunableWeights.Reads(result.Model).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        // Calibration feeds training features, so with a prepended front end it runs the trained model without it (the
        // names of the model's tensors are the same in the shipped graph).
        var floatModel = plan.Ship(result.Model);
        var export = Quantize(plan, floatModel, weights, warnings, new(plan.Prepend ? result.Model : null, data.Train), ranges: null);
        var (shipped, quantized, activations) = (export.Model, export.Tensors, export.Activations);
        byte[]? floatBytes = null;
        if (quantized > 0)
        {
            metadata.WriteTo(floatModel);
            floatBytes = OnnxModelIO.Save(SparseInitializers.Apply(floatModel, plan.Storage));
        }

        var scheme = RunReport.Scheme(plan, quantized);
        metadata = metadata with { Quantize = scheme, SessionConfig = ModelMetadata.SessionConfigFor(scheme) };
        metadata.WriteTo(shipped);
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(shipped, plan.Storage));

        // The exported bytes must reproduce the executor on real clips, or nothing is written. A quantized export is
        // compared with the executor running those same bytes (int8 weights and DequantizeLinear): the float-to-int8
        // error is the gate's to judge on the test split, the 1e-4 parity bar only the runtimes' agreement.
        var (batch, shape) = VerificationBatch.Of(data.Test, shipped);
        var executorModel = quantized > 0 ? OnnxModelIO.Load(bytes, plan.OutputPath) : shipped;
        var mismatch = ExportVerifier.Verify(executorModel, bytes, batch, shape, plan.OutputPath, quantizedActivations: activations > 0);
        if (mismatch.Count > 0)
        {
            return Result<Attempt>.Fail(mismatch);
        }

        // The trained copy is batched (and may take the front end's layout and compute extra inputs); the file keeps the
        // signature the user gave, and must reproduce the copy the gate measures, clip by clip.
        var (measuredModel, measuredBytes) = (shipped, bytes);
        if (run.Twin.ChangesSignature)
        {
            var file = Quantize(plan, plan.Ship(run.Twin.Restore(result.Model, keepLayout: plan.Prepend, (plan.Inputs ?? ModelInputOptions.Default).Batch)), weights, [], new(null, data.Train), export.Ranges).Model;
            metadata.WriteTo(file);
            var fileBytes = OnnxModelIO.Save(SparseInitializers.Apply(file, plan.Storage));
            var differs = BatchEquivalence.CheckShipped(run.Twin, shipped, bytes, fileBytes, data.Test, plan.Prepend, plan.OutputPath);
            if (differs.Count > 0)
            {
                return Result<Attempt>.Fail(differs);
            }

            (shipped, bytes) = (file, fileBytes);
        }

        context.Report(PipelineStage.Evaluate, "measuring the compressed model with ONNX Runtime");
        var measured = OrtEvaluation.Measure(measuredBytes, measuredModel, data.Test, plan.Labels, plan.Threads, plan.OutputPath, "the compressed model", context.Cancellation, run.Head);
        if (measured.Value is not { } measurement)
        {
            return Result<Attempt>.Fail(measured.Diagnostics);
        }

        var value = plan.Gate.Metric.Compute(measurement);
        var gate = plan.Gate.Evaluate(value, baseline.Value, result.TotalSparsity, plan.GateLocation);
        return Result<Attempt>.Ok(new Attempt(result, shipped, bytes, measurement, value, gate, quantized, activations) { MeasuredModel = measuredModel, MeasuredBytes = measuredBytes, FloatBytes = floatBytes }, warnings);
    }

    /// <summary>
    /// The model with its <paramref name="weights"/> (the trained model's prunable weights, so never a prepended
    /// front end's matrices) stored as <c>quantize.weights</c> says, and with <c>quantize.activations: int8</c> its
    /// activations around the int8 Conv/MatMul/Gemm behind QDQ pairs, calibrated by ONNX Runtime on the first
    /// <c>quantize.calibration.clips</c> clips of <paramref name="calibration"/> (or with <paramref name="ranges"/> already
    /// calibrated on the same graph). <see cref="CalibrationInput.Model"/>, when given, is what calibration runs instead of
    /// <paramref name="model"/> (the same tensors, fed <see cref="CalibrationInput.Clips"/> as they are).
    /// </summary>
    private static QuantizedExport Quantize(PipelinePlan plan, ModelProto model, IReadOnlySet<string> weights, List<Diagnostic> warnings, CalibrationInput calibration, IReadOnlyDictionary<string, ActivationRange>? ranges) => plan.Quantize switch
    {
        WeightQuantization.None => new(model, 0, 0, null),
        WeightQuantization.Int8 => plan.Activations switch
        {
            ActivationQuantization.None => Int8(plan, model, weights, warnings),
            ActivationQuantization.Int8 => Int8Activations(plan, model, weights, warnings, calibration, ranges),
        },
    };

    private static QuantizedExport Int8(PipelinePlan plan, ModelProto model, IReadOnlySet<string> weights, List<Diagnostic> warnings)
    {
        var q = Int8WeightQuantizer.Apply(model, PrunableWeights.Reads(model).Where(r => weights.Contains(r.Name)));
        if (q.OpsetTooOld)
        {
            warnings.Add(ExportMessages.QuantizeOpsetTooOld(plan.OutputPath, q.Opset, Int8WeightQuantizer.MinimumOpset));
        }

        return new(q.Model, q.Quantized.Count, 0, null);
    }

    /// <summary>
    /// <see cref="Int8ModelQuantizer"/>: BatchNormalization folded into Conv, 7-bit weights for Conv/MatMul/Gemm, 8-bit
    /// for GRU/LSTM, uint8 activations calibrated by ONNX Runtime on the folded float model (or reusing <paramref name="ranges"/>).
    /// </summary>
    private static QuantizedExport Int8Activations(PipelinePlan plan, ModelProto model, IReadOnlySet<string> weights, List<Diagnostic> warnings, CalibrationInput calibration, IReadOnlyDictionary<string, ActivationRange>? ranges)
    {
        // A model that takes PCM keeps its input float: 8 bits of audio would be the first and largest error.
        var pcm = plan.Prepend || plan.FrontEnd.Kind == FrontEndKind.None ? model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal) : null;
        var q = Int8ModelQuantizer.Apply(model, [.. PrunableWeights.Reads(model).Where(r => weights.Contains(r.Name))], pcm, (folded, tensors) =>
        {
            if (ranges is not null)
            {
                return ranges;
            }

            var probe = calibration.Model is { } unprepended ? BatchNormFolding.Apply(unprepended).Model : folded;
            return ActivationCalibrator.Calibrate(probe, tensors, CalibrationBatches.Of(calibration.Clips, probe, plan.Calibration.Clips), plan.Calibration, plan.Threads);
        });
        if (q.OpsetTooOld)
        {
            warnings.Add(ExportMessages.QuantizeOpsetTooOld(plan.OutputPath, q.Opset, Int8WeightQuantizer.MinimumOpset));
        }

        return new(q.Model, q.Weights.Count, q.Activations.Activations.Count, q.Ranges);
    }

    /// <summary>The sparsities to try: the target, or for <c>target_sparsity: max</c> an ascending sweep.</summary>
    internal static IEnumerable<double> SparsityPlan(PipelinePlan plan)
    {
        if (!plan.SearchMaxSparsity)
        {
            yield return plan.Pruning.TargetSparsity;
            yield break;
        }

        // Ascending, bounded: each step closes a third of the remaining gap to the layer ceiling.
        var ceiling = Math.Min(plan.Pruning.MaxLayerSparsity, 0.98);
        var s = 0.5;
        for (var i = 0; i < plan.MaxTrials; i++)
        {
            yield return Math.Round(s, 3);
            s += (ceiling - s) / 3;
        }
    }
}
